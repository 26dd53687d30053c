"""Offline checks of the rendered chart, run by deploy/helm/check-chart.sh.

  manifests RENDERED KUBE_VERSION CRD_FILE...  every resource against its schema: core kinds against the
      Kubernetes API schemas kubernetes-validate ships (strict: unknown fields refused), custom resources
      against their CRD's openAPIV3Schema (jsonschema, unknown fields refused where the CRD does not keep them)
  env RENDERED ENV_EXAMPLE    every variable of .env.example reaches a workload with its default value
  metrics RULES DASHBOARD METRIC_SOURCE...  every whatsapp_* series the alerts and the dashboard read is
      one the services export
  projections INDEX_TS VALUES...  each values file's projector processes name known projections and,
      together, run every projection of projector/projections/index.ts
Each prints one line per finding and exits 1 when any check fails.
"""

import base64
import copy
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate
import yaml


def load_documents(path):
    with open(path, encoding="utf-8") as file:
        return [document for document in yaml.safe_load_all(file) if document]


def name_of(resource):
    return f"{resource['kind']}/{resource['metadata']['name']}"


# --- manifests ---


def strict_json_schema(schema):
    """A CRD's structural schema as JSON Schema: nullable as a null type, unknown fields refused unless kept."""
    schema = copy.deepcopy(schema)

    def convert(node):
        if not isinstance(node, dict):
            return
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        keeps_unknown = node.get("x-kubernetes-preserve-unknown-fields", False)
        if "properties" in node and "additionalProperties" not in node and not keeps_unknown:
            node["additionalProperties"] = False
        for key in ("properties", "patternProperties"):
            for child in node.get(key, {}).values():
                convert(child)
        for key in ("items", "additionalProperties", "not"):
            convert(node.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for child in node.get(key, []):
                convert(child)

    convert(schema)
    # Kubernetes checks metadata itself; the CRD leaves it an object.
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return schema


def crd_schemas(crd_files):
    """(apiVersion, kind) -> JSON Schema, for every served version of the given CRDs."""
    schemas = {}
    for path in crd_files:
        for crd in load_documents(path):
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schema = strict_json_schema(version["schema"]["openAPIV3Schema"])
                    schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def check_manifests(rendered, kube_version, crd_files):
    custom = crd_schemas(crd_files)
    failures = 0
    for resource in load_documents(rendered):
        key = (resource.get("apiVersion"), resource.get("kind"))
        try:
            if key in custom:
                jsonschema.Draft202012Validator(custom[key]).validate(resource)
                against = f"CRD {key[0]}"
            else:
                against = f"Kubernetes {kubernetes_validate.validate(resource, kube_version, strict=True)}"
            print(f"  valid    {name_of(resource)} ({key[0]}) against {against}")
        except jsonschema.ValidationError as error:
            failures += 1
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"  INVALID  {name_of(resource)}: {where}: {error.message}")
        except kubernetes_validate.utils.SchemaNotFoundError:
            failures += 1
            print(f"  NO SCHEMA {name_of(resource)} ({key[0]}) for Kubernetes {kube_version}, nor a CRD given")
    return failures


# --- env ---


def env_example_defaults(path):
    defaults = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.rstrip("\n"))
            if match:
                defaults[match.group(1)] = match.group(2)
    return defaults


def pod_specs(resource):
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template = spec.get("template")
    return [template["spec"]] if template else []


def resolved_environment(container, config_maps, secrets):
    """What the container's process sees: envFrom first, then env (which wins), references resolved."""
    environment = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            environment.update(config_maps[source["configMapRef"]["name"]])
        if "secretRef" in source:
            environment.update(secrets[source["secretRef"]["name"]])
    for variable in container.get("env") or []:
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
            continue
        reference = variable.get("valueFrom", {})
        if "configMapKeyRef" in reference:
            ref = reference["configMapKeyRef"]
            environment[variable["name"]] = config_maps[ref["name"]][ref["key"]]
        elif "secretKeyRef" in reference:
            ref = reference["secretKeyRef"]
            environment[variable["name"]] = secrets[ref["name"]][ref["key"]]
    return environment


def check_env(rendered, env_example):
    resources = load_documents(rendered)
    config_maps = {r["metadata"]["name"]: r.get("data", {}) for r in resources if r["kind"] == "ConfigMap"}
    secrets = {
        r["metadata"]["name"]: {
            **{key: base64.b64decode(value).decode() for key, value in r.get("data", {}).items()},
            **r.get("stringData", {}),
        }
        for r in resources
        if r["kind"] == "Secret"
    }
    seen = {}
    for resource in resources:
        for pod in pod_specs(resource):
            for container in pod["containers"]:
                for name, value in resolved_environment(container, config_maps, secrets).items():
                    seen.setdefault(name, {})[f"{name_of(resource)}"] = value
    failures = 0
    for name, default in env_example_defaults(env_example).items():
        workloads = seen.get(name, {})
        right = sorted(workload for workload, value in workloads.items() if value == default)
        wrong = {workload: value for workload, value in workloads.items() if value != default}
        if right and not wrong:
            print(f"  set      {name}={default!r} in {', '.join(right)}")
        else:
            failures += 1
            problem = f"differs: {wrong}" if wrong else "in no workload"
            print(f"  MISSING  {name}={default!r}: {problem}")
    return failures


# --- metrics ---


def exported_metrics(sources):
    names = set()
    for path in sources:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        for kind, name in re.findall(r'new (Counter|Gauge|Histogram)\(\{\s*name: "(whatsapp_\w+)"', text):
            names.add(name)
            if kind == "Histogram":
                names.update(f"{name}_{suffix}" for suffix in ("bucket", "sum", "count"))
    return names


def check_metrics(rules, dashboard, sources):
    known = exported_metrics(sources)
    with open(rules, encoding="utf-8") as file:
        read = {"alerts": file.read()}
    with open(dashboard, encoding="utf-8") as file:
        read["dashboard"] = json.dumps(json.load(file))
    failures = 0
    for where, text in read.items():
        for name in sorted(set(re.findall(r"\bwhatsapp_[a-z_]+\b", text))):
            if name in known:
                print(f"  exported {name} (read by the {where})")
            else:
                failures += 1
                print(f"  UNKNOWN  {name}: read by the {where}, exported by no service")
    return failures


# --- projections ---


def known_projections(index_ts):
    """The names of projector/projections/index.ts's projections, from each one's `name:`."""
    folder = os.path.dirname(index_ts)
    with open(index_ts, encoding="utf-8") as file:
        modules = re.findall(r'from "\./([\w-]+)/projection"', file.read())
    names = set()
    for module in modules:
        with open(os.path.join(folder, module, "projection.ts"), encoding="utf-8") as file:
            names.add(re.search(r'^  name: "([\w-]+)"', file.read(), re.MULTILINE).group(1))
    return names


def check_projections(index_ts, values_files):
    known = known_projections(index_ts)
    failures = 0
    for path in values_files:
        with open(path, encoding="utf-8") as file:
            processes = yaml.safe_load(file)["projector"]["processes"]
        run = {name for process in processes for name in process["projections"]}
        unknown, missing = sorted(run - known), sorted(known - run)
        where = os.path.basename(path)
        if unknown:
            failures += 1
            print(f"  UNKNOWN  {where} runs {', '.join(unknown)}: not in {index_ts}")
        if missing:
            failures += 1
            print(f"  NOT RUN  {where}: no process of projector.processes runs {', '.join(missing)}: add them")
        if not unknown and not missing:
            print(f"  every projection run by {where}: {', '.join(sorted(known))}")
    return failures


def main(argv):
    command, arguments = argv[1], argv[2:]
    if command == "manifests":
        failures = check_manifests(arguments[0], arguments[1], arguments[2:])
    elif command == "env":
        failures = check_env(arguments[0], arguments[1])
    elif command == "metrics":
        failures = check_metrics(arguments[0], arguments[1], arguments[2:])
    elif command == "projections":
        failures = check_projections(arguments[0], arguments[1:])
    else:
        raise SystemExit(f"unknown check {command!r}: manifests, env, metrics or projections")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
