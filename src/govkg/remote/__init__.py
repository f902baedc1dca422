"""Remote SPARQL stores: the SPARQL 1.1 Protocol client, Graph Store HTTP Protocol push, and
pulling what the shapes need for validation.

Only an `--endpoint` (or `--store`) URL the user gives on the command line is ever contacted;
query text never chooses where a request goes (SERVICE stays refused, redirects are not
followed). Credentials come from the environment (see `govkg.remote.auth`), never the command
line. httpx is imported only by the commands that talk to a store.
"""
