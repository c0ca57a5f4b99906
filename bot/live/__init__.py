"""A coordinator and a patient talking through TellOnce: the bot steps aside but keeps
recording; the coordinator writes English, the patient reads their own language.

- ``store``: cases, claims, messages and staff tokens in the registry;
- ``relay``: coordinator replies into the patient's language (catalogue first, then
  machine translation, flagged), and what the channel returns to the patient.
"""
