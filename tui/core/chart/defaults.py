"""The defaults of datadog/datadog 3.240.0 for every key the chart model reads.

Kept as a small literal instead of loading the chart's 3,500-line values.yaml, so that preset mode
stays fast; `tests/test_chart_defaults.py` proves each value equals the reference values.yaml.
"""

from __future__ import annotations

from typing import Any

CHART_VERSION = "3.240.0"
DEFAULT_AGENT_TAG = "7.81.1"

_READ_ONLY_ROOT = {"readOnlyRootFilesystem": True}
SYSTEM_PROBE_CAPABILITIES = [
    "SYS_ADMIN",
    "SYS_RESOURCE",
    "SYS_PTRACE",
    "NET_ADMIN",
    "NET_BROADCAST",
    "NET_RAW",
    "IPC_LOCK",
    "CHOWN",
    "DAC_READ_SEARCH",
]

HOST_PROFILER_CAPABILITIES = [
    "BPF",
    "PERFMON",
    "SYS_PTRACE",
    "SYS_RESOURCE",
    "DAC_READ_SEARCH",
    "SYSLOG",
    "CHECKPOINT_RESTORE",
    "IPC_LOCK",
]

CHART_DEFAULTS: dict[str, Any] = {
    "datadog": {
        "apiKey": None,
        "apiKeyExistingSecret": None,
        "securityContext": {"runAsUser": 0},
        "useHostPID": True,
        "hostVolumeMountPropagation": "None",
        "dogstatsd": {
            "port": 8125,
            "useHostPort": False,
            "useHostPID": False,
            "useSocketVolume": True,
            "socketPath": "/var/run/datadog/dsd.socket",
            "hostSocketPath": "/var/run/datadog",
            "originDetection": False,
            "nonLocalTraffic": True,
        },
        "apm": {
            "socketEnabled": True,
            "portEnabled": False,
            "enabled": False,
            "useLocalService": False,
            "port": 8126,
            "socketPath": "/var/run/datadog/apm.socket",
            "hostSocketPath": "/var/run/datadog",
        },
        "logs": {"enabled": False, "containerCollectAll": False},
        "processAgent": {
            "processCollection": False,
            "containerCollection": True,
            "processDiscovery": True,
        },
        "orchestratorExplorer": {"enabled": True},
        "discovery": {"enabled": None, "networkStats": {"enabled": True}, "serviceMap": {"enabled": False}},
        "networkMonitoring": {"enabled": False},
        "serviceMonitoring": {"enabled": False},
        "securityAgent": {
            "runtime": {"enabled": False, "enforcement": {"enabled": True}, "directSendFromSystemProbe": False},
            "compliance": {"enabled": False, "runInSystemProbe": False},
        },
        "systemProbe": {
            "seccomp": "localhost/system-probe",
            "seccompRoot": "/var/lib/kubelet/seccomp",
            "apparmor": "unconfined",
            "enableTCPQueueLength": False,
            "enableOOMKill": False,
            "enableDefaultOsReleasePaths": True,
            "enableDefaultKernelHeadersPaths": True,
            "runtimeCompilationAssetDir": "/var/tmp/datadog-agent/system-probe",
            "mountPackageManagementDirs": [],
            "btfPath": "",
        },
        "otlp": {
            "receiver": {
                "protocols": {
                    "grpc": {"enabled": False, "endpoint": "0.0.0.0:4317", "useHostPort": True},
                    "http": {"enabled": False, "endpoint": "0.0.0.0:4318", "useHostPort": True},
                }
            }
        },
        "otelCollector": {
            "enabled": False,
            "ports": [
                {"containerPort": "4317", "name": "otel-grpc", "protocol": "TCP"},
                {"containerPort": "4318", "name": "otel-http", "protocol": "TCP"},
            ],
            "config": None,
            "useStandaloneImage": True,
            "logs": {"enabled": False},
        },
        "sbom": {
            "containerImage": {"enabled": False, "uncompressedLayersSupport": True, "overlayFSDirectScan": False},
            "host": {"enabled": False},
            "enrichment": {"usage": {"enabled": False}},
        },
        "gpuMonitoring": {"enabled": False, "privilegedMode": False, "configureCgroupPerms": False},
        "hostProfiler": {
            "enabled": False,
            "image": "",
            "seccomp": {"enabled": True},
            "seccompRoot": "/var/lib/kubelet/seccomp",
            "loggingSeccomp": False,
            "apparmor": "unconfined",
        },
        "traceroute": {"enabled": False},
        "dynamicInstrumentationGo": {"enabled": False},
        "dataPlane": {"enabled": False, "dogstatsd": {"enabled": True}},
        "privateActionRunner": {"enabled": False},
        "criSocketPath": None,
        "dockerSocketPath": None,
        "containerRuntimeSupport": {"enabled": True},
        "disablePasswdMount": False,
        "osReleasePath": "/etc/os-release",
        "disableDefaultOsReleasePaths": False,
        "kubelet": {
            "podLogsPath": None,
            "hostCAPath": None,
            "agentCAPath": None,
            "podResourcesSocketDir": "/var/lib/kubelet/pod-resources",
        },
        "operator": {"enabled": True},
    },
    "clusterAgent": {"enabled": True, "admissionController": {"configMode": None}},
    "targetSystem": "linux",
    "fips": {"enabled": False},
    "providers": {
        "gke": {"autopilot": False, "cos": False, "gdc": False},
        "flatcar": {"enabled": False},
        "eks": {"controlPlaneMonitoring": False, "ec2": {"useHostnameFromFile": False}},
        "aks": {"enabled": False},
        "openshift": {"controlPlaneMonitoring": False},
        "talos": {"enabled": False},
    },
    "agents": {
        "useHostNetwork": False,
        "volumes": [],
        "volumeMounts": [],
        "image": {"tag": DEFAULT_AGENT_TAG, "doNotCheckTag": None},
        "podSecurity": {"apparmor": {"enabled": True}},
        "containers": {
            "agent": {"securityContext": dict(_READ_ONLY_ROOT), "env": []},
            "traceAgent": {"securityContext": dict(_READ_ONLY_ROOT)},
            "processAgent": {"securityContext": dict(_READ_ONLY_ROOT)},
            "securityAgent": {"securityContext": dict(_READ_ONLY_ROOT)},
            "systemProbe": {
                "securityContext": {
                    "readOnlyRootFilesystem": True,
                    "privileged": False,
                    "capabilities": {"add": list(SYSTEM_PROBE_CAPABILITIES)},
                }
            },
            "otelAgent": {"securityContext": dict(_READ_ONLY_ROOT), "volumeMounts": []},
            "hostProfiler": {
                "securityContext": {
                    "readOnlyRootFilesystem": True,
                    "allowPrivilegeEscalation": False,
                    "privileged": False,
                    "seLinuxOptions": {"type": "spc_t"},
                    "capabilities": {"drop": ["ALL"], "add": list(HOST_PROFILER_CAPABILITIES)},
                },
                "volumeMounts": [],
            },
            "initContainers": {"securityContext": {}, "volumeMounts": []},
        },
    },
}
