"""REST API of the registry under /api/v1/: entries (public read, member writes,
moderator transitions, `entries`), their serializers, and the map aggregation (`map`)."""
