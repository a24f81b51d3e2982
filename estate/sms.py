"""Pluggable SMS sending (settings.SMS_BACKEND). The default writes the message to the log, so a
development machine needs no SMS provider; production points SMS_BACKEND at a class with the
same ``send(phone, text)`` method."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from estate.privacy import mask_phone

log = logging.getLogger("estatedesk.sms")


class LogSender:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


def get_sender():
    return import_string(settings.SMS_BACKEND)()
