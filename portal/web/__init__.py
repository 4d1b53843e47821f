"""Web plumbing shared by every area: request context, templates, errors, security headers."""
