"""The local web workspace (``squatlab serve``): accounts, athletes, sessions, uploads, history.

It sits on top of the science core, beside ``cli``: pages and a JSON API in :mod:`.app`,
analyses in separate worker processes (:mod:`.worker`, watched by :mod:`.supervisor`),
the database in :mod:`squatlab.store`. Needs the ``web`` extra (``pip install squatlab[web]``).
"""
