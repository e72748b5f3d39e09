"""The web workspace's database: coaches, athletes, sessions, uploads and analysis jobs.

Sits on top of the science core, beside ``cli`` and ``web``; nothing in the core imports it.
Every query that reads a coach's data takes the coach's id (:mod:`squatlab.store.repo`),
so one coach can never reach another's rows, whatever the page or API route asks for.
"""
