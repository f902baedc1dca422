"""Remote SPARQL stores: the SPARQL 1.1 Protocol client, Graph Store HTTP Protocol push, and
pulling what the shapes need for validation.

Only an `--endpoint` (or `--store`, `--update-endpoint`) URL the user gives on the command
line, or the address beside it of a known layout, is ever contacted; query text never chooses
where a request goes (SERVICE stays refused, redirects are not followed). Every answer is
read within a byte limit and the request's deadline (`govkg.remote.client`); a push changes
its target graph in one SPARQL Update or says what it holds (`govkg.remote.gsp`).
Credentials come from the environment (see `govkg.remote.auth`), never the command line.
httpx is imported only by the commands that talk to a store.
"""
