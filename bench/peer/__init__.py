"""The peer of `make bench`: the least Django project doing an audited approval over HTTP."""
