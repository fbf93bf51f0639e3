"""The answers contract: ids, values, defaults, layering, and the errors bad input gets."""

from __future__ import annotations

import pytest

from tui.core.agent_version import AgentVersion
from tui.core.answers.contract import ANSWER_SPECS, Answers, layer, parse_set
from tui.core.errors import AnswerError


def test_defaults_are_the_contract():
    assert Answers().as_dict() == {
        "platform": "generic",
        "agent_version": "7.81.1",
        "runtime": "containerd",
        "runtime_socket": None,
        "dogstatsd": "udp",
        "origin_detection": False,
        "apm": "off",
        "logs": "off",
        "process_collection": False,
        "run_as": "nonroot",
        "system_probe": [],
        "kubernetes_version": "1.33",
        "admission_controller": False,
        "orchestrator_explorer": False,
        "secret_metrics": False,
        "kubernetes_events": False,
        "site": "datadoghq.com",
        "cluster_name": None,
        "api_key_secret": "datadog-secret",
        "release_name": "datadog",
        "namespace": "datadog",
    }


def test_last_layer_wins():
    answers = layer([{"dogstatsd": "uds", "logs": "all"}, {"dogstatsd": "udp"}, dict([parse_set("logs=off")])])
    assert (answers.dogstatsd, answers.logs) == ("udp", "off")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("system_probe=npm,usm", ("npm", "usm")),
        ("system_probe=", ()),
        ("origin_detection=yes", True),
        ("process_collection=False", False),
        ("cluster_name=", None),
    ],
)
def test_set_values_are_coerced(item, expected):
    key, value = parse_set(item)
    assert getattr(layer([{key: value}]), key) == expected


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("dogstatsd=tcp", "dogstatsd: unknown value 'tcp'; valid: uds, udp, udp-hostport, off"),
        ("colour=blue", "unknown answer id 'colour'; valid ids: platform, agent_version"),
        ("api_key=abc", "never takes an API key"),
        ("origin_detection=maybe", "not a boolean"),
        ("system_probe=npm,gpu", "unknown feature 'gpu'"),
        ("noequals", "expected ID=VALUE"),
        ("cluster_name=Prod_Cluster", "cluster_name: 'Prod_Cluster' is not valid"),
        ("namespace=" + "a" * 64, "namespace:"),
    ],
)
def test_bad_set_names_the_valid_choices(item, message):
    with pytest.raises(AnswerError, match=None) as error:
        layer([dict([parse_set(item)])])
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("tag", ["8.0.0", "7.81", "latest", "7.81.1-rc1", "v7.81.1", "7.35.9", "7.081.1", ""])
def test_unknown_agent_versions_are_refused(tag):
    with pytest.raises(AnswerError, match="agent_version"):
        Answers(agent_version=tag)


@pytest.mark.parametrize(
    ("tag", "uid"),
    [("7.36.0", 101), ("7.47.9", 101), ("7.48.0", 100), ("7.81.1", 100), ("7.81.1-jmx", 100), ("7.47.0-full", 101)],
)
def test_dd_agent_uid_changes_at_7_48(tag, uid):
    assert AgentVersion.parse(tag).dd_agent_uid == uid
    assert Answers(agent_version=tag).uid == uid
    assert Answers(agent_version=tag, run_as="root").uid == 0


def test_origin_detection_without_dogstatsd_is_normalised_away():
    assert Answers(dogstatsd="off", origin_detection=True).origin_detection is False


def test_host_pid_only_for_uds_with_origin_detection():
    assert Answers(dogstatsd="uds", origin_detection=True).host_pid
    assert not Answers(dogstatsd="udp", origin_detection=True).host_pid
    assert not Answers(dogstatsd="uds", origin_detection=False).host_pid


def test_every_spec_lists_its_allowed_values():
    for spec in ANSWER_SPECS.values():
        assert spec.allowed(), spec.id


# --- issue 18 item 3: a pasted key is not a Secret name -----------------------------------------------


_HEX = "0123456789abcdef"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ((_HEX * 2), "an API key"),
        ((_HEX * 3)[:40], "an application key"),
        ((_HEX * 2).upper(), "an API key"),
        ("dd-" + (_HEX * 2) + "-secret", "an API key"),
    ],
)
def test_a_secret_name_that_looks_like_a_key_is_refused_without_echoing_it(name, kind):
    for read in (
        lambda: Answers(api_key_secret=name),
        lambda: layer([{"api_key_secret": name}]),  # answers files and presets
        lambda: Answers().replace(**dict([parse_set(f"api_key_secret={name}")])),  # --set
    ):
        with pytest.raises(AnswerError) as refused:
            read()
        assert f"looks like {kind}" in str(refused.value)
        assert name.lower() not in str(refused.value).lower()


@pytest.mark.parametrize("name", ["datadog-secret", "dd-" + "a" * 31, "a" * 33 + "-x", "deadbeef" * 3])
def test_secret_names_that_are_not_keys_are_kept(name):
    assert Answers(api_key_secret=name).api_key_secret == name


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"namespace": "datadog\n"}, "namespace: 'datadog\\n' is not valid"),  # `$` alone matched before it
        ({"release_name": "datadog\n"}, "release_name: 'datadog\\n' is not valid"),
        ({"runtime_socket": "//run/containerd/containerd.sock"}, "is not a plain absolute path"),  # helm renders /run
        ({"runtime_socket": "/var/log/pods/containerd.sock"}, "lies in /var/log, which the chart mounts"),
        ({"runtime_socket": "/var/run/datadog/containerd.sock"}, "lies in /var/run/datadog"),
        ({"runtime_socket": "/sys/kernel/debug/x.sock"}, "lies in /sys"),
        ({"namespace": "kube-system"}, "holds the cluster's own workloads"),
    ],
)
def test_answers_the_bundle_could_not_honour_are_refused_in_one_line(answers, message):
    with pytest.raises(AnswerError) as error:
        layer([answers])
    assert message in str(error.value) and "\n" not in str(error.value).replace("\\n", "")


@pytest.mark.parametrize(("admission_controller", "longest"), [(True, 20), (False, 41)])
def test_a_release_name_is_refused_where_the_chart_would_name_a_service_past_63_characters(
    admission_controller, longest
):
    # the chart appends -datadog and then -cluster-agent[-admission-controller] to the release name
    Answers(release_name="a" * longest, admission_controller=admission_controller)
    with pytest.raises(AnswerError, match="Kubernetes allows 63"):
        Answers(release_name="a" * (longest + 1), admission_controller=admission_controller)
    Answers(release_name="datadog-" + "a" * (longest), admission_controller=admission_controller)  # no -datadog
