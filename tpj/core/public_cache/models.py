"""The content version of each public scope, one row per scope."""

from django.db import models


class PublicVersion(models.Model):
    """The version of what a public scope shows; every cached public read is keyed by it.

    Kept in the database, not in the cache: every web process (gunicorn workers, nodes) must
    see a bump at once, and the embedded default's cache is per process (locmem). Read by
    one primary-key lookup per public request; bumped by one UPDATE after each commit that
    changes the scope (`tpj.core.public_cache.versions`).
    """

    scope = models.CharField("périmètre", max_length=40, primary_key=True)
    version = models.BigIntegerField("version", default=0)

    class Meta:
        verbose_name = "version du contenu public"
        verbose_name_plural = "versions du contenu public"

    def __str__(self):
        return f"{self.scope} v{self.version}"
