"""govkg on the web: the SPARQL 1.1 Protocol, dereferenceable IRIs and pages for people.

Everything here is a pure function from a `Request` to a `Response` (`app.App.handle`);
`govkg.serve` (standard-library HTTP/1.1 server) and `govkg.web.wsgi` (any WSGI server) are
thin adapters around it, and `govkg.web.publish` writes the same pages as a static site.
"""
