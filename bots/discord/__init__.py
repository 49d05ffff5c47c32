"""The Discord front-end: discord.py 2 events -> Incoming -> Router -> Outgoing -> Discord sends."""
