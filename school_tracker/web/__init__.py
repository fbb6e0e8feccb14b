"""Request plumbing every page shares.

Error and busy pages, response headers, form-body limits, double-submit claims and
structured logs.
"""
