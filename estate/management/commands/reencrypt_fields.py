"""Re-encrypt every protected column (``*_enc``: residents' phones and ID numbers, ticket
reporters' phones, ...) with the newest of FIELD_ENCRYPTION_KEYS, after a key rotation."""

from django.core.management.base import BaseCommand, CommandError

from estate import privacy


class Command(BaseCommand):
    help = (
        "Re-encrypt every protected field with the newest FIELD_ENCRYPTION_KEYS key, in "
        "batches; rows already on the newest key are skipped, so an interrupted run is resumed "
        "by running it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **opts):
        size = opts["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total_read = total_written = 0
        for model, fields in privacy.encrypted_fields():
            label = model._meta.label
            after, batch, read, written = None, 0, 0, 0
            while True:
                try:
                    last, n, w = privacy.reencrypt_batch(
                        model=model, fields=fields, after_pk=after, batch_size=size
                    )
                except privacy.DecryptionError as exc:
                    raise CommandError(
                        f"{label} after id {after}: {exc} Add the key that wrote it to "
                        "FIELD_ENCRYPTION_KEYS and run again."
                    ) from exc
                if last is None:
                    break
                batch += 1
                read += n
                written += w
                after = last
                self.stdout.write(
                    f"{label} batch {batch}: up to id {last}, {n} read, {w} re-encrypted "
                    f"({read} read, {written} re-encrypted so far)"
                )
                if n < size:
                    break
            self.stdout.write(f"{label} ({', '.join(fields)}): {read} rows, {written} re-encrypted")
            total_read += read
            total_written += written
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total_read} rows read, {total_written} re-encrypted.")
        )
