"""The portal: read-only web pages over the chains (and the event index when one is configured).

``trustspace portal`` serves :func:`trustspace.portal.app.create_app`; pages are rendered on
the server from Jinja2 templates, every file is served from this package, and nothing in it
signs or sends a transaction.
"""

__all__: list[str] = []
