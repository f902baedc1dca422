"""The root `govkg` group: lazy command loading and one error policy for every command.

Commands live one per module and are imported only when invoked, so `govkg --help` and a
query do not pay for rdflib, pySHACL or owlready2.
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import sys
from typing import Any

import click

from govkg import __version__
from govkg.errors import EXIT_BAD_INPUT, EXIT_CODES_HELP, GovkgError

# command name -> (module, attribute, one-line help shown by `govkg --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("govkg.cli.check", "check_command", "Run every check on the bundled graph."),
    "info": ("govkg.cli.info", "info_command", "Show what the graph holds."),
    "query": ("govkg.cli.query", "query_command", "Run a canned or ad-hoc SPARQL query."),
    "queries": ("govkg.cli.query", "queries_command", "List the canned queries."),
    "validate": ("govkg.cli.validate", "validate_command", "Validate data against the shapes."),
    "reason": ("govkg.cli.reason", "reason_command", "Check consistency with an OWL reasoner."),
    "export": ("govkg.cli.export", "export_command", "Write the merged graph as RDF."),
    "serve": ("govkg.cli.serve", "serve_command", "Serve the graph: SPARQL endpoint and pages."),
    "site": ("govkg.cli.site", "site_command", "Write the pages and dumps as a static site."),
    "template": ("govkg.cli.template", "template_command", "Write the fact-table template."),
    "import": ("govkg.cli.importer", "import_command", "Turn filled fact tables into Turtle."),
    "diff": ("govkg.cli.diff", "diff_command", "Show what changes between two graphs."),
    "push": ("govkg.cli.push", "push_command", "Publish the graph to a triple store."),
    "db": ("govkg.cli.db", "db_command", "Keep the graph in an on-disk store (load once)."),
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # a full disk while printing a result


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, COMMANDS, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except GovkgError as err:
            if debug:
                raise
            click.echo(f"govkg: error: {err}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:  # the reader of our output went away: nothing left to say
            _silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as err:
            if debug or err.errno not in _FULL:
                raise
            _silence_stdout()  # what is buffered cannot be written either
            click.echo(f"govkg: error: cannot write output: {err.strerror}", err=True)
            ctx.exit(EXIT_BAD_INPUT)

    def main(self, *args: Any, standalone_mode: bool = True, **extra: Any) -> Any:
        """Every error a user can cause becomes one line on stderr and an exit code."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **extra)
        argv = list(extra.get("args") or (args[0] if args else None) or sys.argv[1:])
        try:
            code = super().main(*args, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            click.echo(err.format_message())
            sys.exit(0)
        except click.ClickException as err:
            hint = f" (see '{err.ctx.command_path} -h')" if getattr(err, "ctx", None) else ""
            click.echo(f"govkg: error: {err.format_message()}{hint}", err=True)
            sys.exit(err.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("govkg: interrupted", err=True)
            sys.exit(130)
        except Terminated:
            sys.exit(EXIT_TERMINATED)
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as err:
            if "--debug" in argv:
                raise
            click.echo(f"govkg: internal error: {err} (run with --debug for details)", err=True)
            sys.exit(EXIT_BAD_INPUT)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=LazyGroup,
    context_settings=CONTEXT_SETTINGS,
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "-V", "--version", prog_name="govkg")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """govkg: China's provincial digital-government bodies as a linked-data knowledge graph.

    Query, validate, reason over and export the graph built from the source article.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process ended by SIGTERM
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # 141: the reader went away (`govkg export | head`)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` runs (temp files go)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


def _silence_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _flush_stdout() -> int | None:
    """Flush standard output now, while errors can still be reported on one line."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as err:
        _silence_stdout()
        click.echo(f"govkg: error: standard output: cannot write: {err.strerror or err}", err=True)
        return EXIT_BAD_INPUT
    return None


def main() -> None:
    """Console entry point: SIGTERM unwinds (exit 143); a closed pipe exits silently (141);
    the graphs loaded are left to the end of the process (`govkg.lifetime`)."""
    from govkg import lifetime

    signal.signal(signal.SIGTERM, _on_sigterm)
    lifetime.hold_until_exit()  # the graphs loaded are not freed one by one before exiting
    code: Any = 0
    try:
        cli.main(prog_name="govkg")
    except SystemExit as done:
        code = done.code
    except Terminated:
        code = EXIT_TERMINATED
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    failed = _flush_stdout()
    lifetime.end(failed if failed is not None and not code else code)
