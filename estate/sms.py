"""Pluggable SMS sending (settings.SMS_BACKEND).

- ``estate.sms.LogSender`` (development default) writes the message to the log, so a
  development machine needs no SMS provider. It would write residents' one-time codes to the
  server log, so ``check --deploy`` refuses it when DEBUG is off.
- ``estate.sms.WebhookSender`` posts ``{"phone", "text"}`` as JSON to ``SMS_WEBHOOK_URL``
  (the SMS gateway of the company's provider, or a small adapter in front of it), with
  ``SMS_WEBHOOK_TOKEN`` as a bearer token when set.
Any other class with the same ``send(phone, text)`` method may be named instead."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from estate.privacy import mask_phone

log = logging.getLogger("estatedesk.sms")

LOG_SENDER = "estate.sms.LogSender"


class LogSender:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


class WebhookSender:
    timeout = 5

    def send(self, phone: str, text: str) -> None:
        request = urllib.request.Request(
            settings.SMS_WEBHOOK_URL,
            data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        if settings.SMS_WEBHOOK_TOKEN:
            request.add_header("Authorization", f"Bearer {settings.SMS_WEBHOOK_TOKEN}")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()


def get_sender():
    return import_string(settings.SMS_BACKEND)()


@register(Tags.security, deploy=True)
def check_sms_backend(app_configs=None, **kwargs):
    """Production needs a real SMS backend: the logging one leaks one-time codes to the log."""
    if settings.DEBUG:
        return []
    if settings.SMS_BACKEND == LOG_SENDER:
        return [
            Error(
                "SMS_BACKEND is the logging sender, which writes residents' one-time codes "
                "to the server log.",
                hint="Set SMS_BACKEND=estate.sms.WebhookSender and SMS_WEBHOOK_URL, "
                "or another real backend.",
                id="estate.E010",
            )
        ]
    if settings.SMS_BACKEND == "estate.sms.WebhookSender" and not settings.SMS_WEBHOOK_URL:
        return [Error("SMS_WEBHOOK_URL must be set for the webhook sender.", id="estate.E011")]
    return []
