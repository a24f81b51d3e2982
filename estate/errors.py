"""The one domain error. Services raise it; the API turns it into a JSON 4xx, pages into a
form error."""

_STATUS_BY_CODE = {
    "invalid": 422,
    "forbidden": 403,
    "not_found": 404,
    "rate_limited": 429,
}


class DomainError(Exception):
    def __init__(
        self, code: str, message: str, field: str | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.status = status or _STATUS_BY_CODE.get(code, 409)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


def invalid(field: str, message) -> DomainError:
    return DomainError("invalid", message, field=field)
