"""Where applications send custom metrics and traces, and which Agent listeners that needs.

The Cluster Agent's admission controller has one mode for both transports (`socket`, `hostip` or
`service`: DD_DOGSTATSD_URL and DD_TRACE_AGENT_URL to the sockets, or DD_AGENT_HOST to the node IP
or the node-local Service). There is no per-transport injection, so ddsecure picks one mode that
every enabled transport can honour and keeps a listener open wherever applications are pointed:

- `socket` only when every enabled transport uses a socket;
- `hostip` only when every enabled transport uses a host port;
- otherwise `service`: the node-local Service reaches the pod's UDP 8125 and TCP 8126 whatever the
  transport, so DogStatsD over a socket keeps its UDP listener open for those applications.

Without the admission controller, applications are configured by hand for the transport chosen.
"""

from typing import NamedTuple

from tui.core.answers.contract import Answers

_DOGSTATSD_MODE = {"uds": "socket", "udp": "service", "udp-hostport": "hostip"}
_APM_MODE = {"uds": "socket", "tcp-local-service": "service", "tcp-hostport": "hostip"}


class AppEndpoints(NamedTuple):
    """How applications reach each enabled transport (`socket`, `hostip`, `service`; None when off)."""

    injected: bool  # the admission controller sets them in application pods
    dogstatsd: str | None
    apm: str | None


def injection_mode(answers: Answers) -> str:
    """The admission controller's one mode for these transports (see the module's rule)."""
    chosen = [m for m in (_DOGSTATSD_MODE.get(answers.dogstatsd), _APM_MODE.get(answers.apm)) if m]
    if chosen and all(m == "socket" for m in chosen):
        return "socket"
    if chosen and all(m == "hostip" for m in chosen):
        return "hostip"
    return "service"


def app_endpoints(answers: Answers) -> AppEndpoints:
    dogstatsd = _DOGSTATSD_MODE.get(answers.dogstatsd)
    apm = _APM_MODE.get(answers.apm)
    if not answers.admission_controller:
        return AppEndpoints(False, dogstatsd, apm)
    mode = injection_mode(answers)
    return AppEndpoints(True, mode if dogstatsd else None, mode if apm else None)


def dogstatsd_udp_open(answers: Answers) -> bool:
    """DogStatsD's UDP listener serves applications: their own choice, or where the injection points them."""
    return app_endpoints(answers).dogstatsd in ("service", "hostip")


def why_injection_mode(answers: Answers) -> str:
    mode = injection_mode(answers)
    dsd, apm = _DOGSTATSD_MODE.get(answers.dogstatsd), _APM_MODE.get(answers.apm)
    if mode == "socket":
        return "apps get the Agent's socket directory mounted (a hostPath in every app pod)"
    if mode == "hostip":
        return "apps get DD_AGENT_HOST = the node IP, to reach the Agent's host ports"
    mixed = {m for m in (dsd, apm) if m} - {"service"}
    text = "apps reach the node-local Agent Service; no hostPath or host port in app pods"
    if mixed:
        text += (
            "; the admission controller has one mode for DogStatsD and APM, so the transports that differ are "
            "reached through the Service too"
        )
        if answers.dogstatsd == "uds":
            text += " (DogStatsD keeps its UDP listener for them; the socket serves apps configured by hand)"
    return text
