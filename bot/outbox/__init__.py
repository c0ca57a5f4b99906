"""Notifications that are never lost: a transactional outbox and the worker that empties it.

- ``messages``: what a notification says (templates in data/notifications.yml);
- ``enqueue``: writes outbox rows inside the caller's database transaction;
- ``senders``: how each channel delivers (SMTP email), with a test double beside it;
- ``worker``: claims due rows, delivers, retries with backoff; ``python -m bot.outbox``.
"""
