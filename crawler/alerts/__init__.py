"""Change alerts: an outbox of events written with the change, delivered by channel.

Modules:

* ``atom``: Atom 1.0 feed of the newest alert events, written atomically (temp file, then rename).
* ``config``: Alert settings: the ``[alerts]`` tables of a TOML settings file, overridden by
  environment.
* ``digest``: Daily and weekly digests: when a period is over, and one message listing its events.
* ``delivery``: One delivery pass: send every due alert by its channel, committing each outcome at
  once.
* ``email``: Email channel: one SMTP message per event or digest, plain text and HTML, Chinese then
  English.
* ``errors``: The error a delivery channel raises when an alert could not be delivered.
* ``listing``: Reading alert events back with their delivery states, for the CLI (and later the web
  app).
* ``outbox``: The alert outbox: events are added in the same transaction as the change they
  describe.
* ``render``: Human-readable descriptions of alert events, in Chinese and English, as text or HTML.
* ``webhook``: Webhook channel: one signed JSON POST per event or digest.
"""
