"""The terminal front-end: a group chat on the shared router."""
