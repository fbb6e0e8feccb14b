"""A real SMTP server for the tests (aiosmtpd), recording every message it receives.

No mock of our mailer: the app talks SMTP over a socket to this server, as it would to the
school's relay. Every message the suite sends lands in `RECEIVED` for the privacy scan.
"""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    to: list[str]
    subject: str
    body: str


# Every message received in this test process, in order (the session-wide collector).
RECEIVED: list[ReceivedMail] = []


class CollectingHandler:
    """aiosmtpd calls handle_DATA for each message: parse it and keep it."""

    def __init__(self, into: list[ReceivedMail]) -> None:
        self.into = into

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain", "html"))
        self.into.append(
            ReceivedMail(
                to=list(envelope.rcpt_tos),
                subject=str(parsed["Subject"]),
                body=body.get_content() if body is not None else "",
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """A running server on 127.0.0.1; `received` holds what it got since it was made."""

    port: int = field(default_factory=free_port)
    received: list[ReceivedMail] = field(default_factory=list)
    controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(
            _Tee(self.received), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class _Tee(CollectingHandler):
    """Keeps each message for its own server and for the session-wide collector."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        RECEIVED.append(self.into[-1])
        return answer
