"""The coordinators' JSON API: list the queue, claim a case, reply, hand back, close.

`python -m bot.handoff_api` serves it (make run starts it); `python -m bot.handoff_api
token <email>` issues a coordinator's API token. OpenAPI: GET /openapi.json.
"""
