#!/usr/bin/python3
"""The official Python client (python3-kubernetes) against a real clusterdeckd.

Run by tst_python_client with the kubeconfig of the engine it started:
    /usr/bin/python3 client_roundtrip.py KUBECONFIG
Creates, lists, watches from a resourceVersion, patches (strategic, merge, JSON, scale) and
deletes, through the typed API classes, so every answer is also decoded into the client's models
(which fails on a field of the wrong type). Exits non-zero with a traceback on the first surprise.
"""
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "python-client"


def step(text):
    print("--", text, flush=True)


def expect_api_error(call, status, reason):
    try:
        call()
    except ApiException as e:
        assert e.status == status, "status %s, expected %s: %s" % (e.status, status, e.body)
        body = __import__("json").loads(e.body)
        assert body["kind"] == "Status" and body["reason"] == reason, body
        return body
    raise AssertionError("expected HTTP %d %s" % (status, reason))


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    apps = client.AppsV1Api()

    step("version and discovery")
    version = client.VersionApi().get_code()
    assert version.git_version == "v1.32.0", version
    groups = [g.name for g in client.ApisApi().get_api_versions().groups]
    assert "apps" in groups and "batch" in groups, groups

    step("create a namespace")
    created = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
    assert created.metadata.name == NS and created.status.phase == "Active", created
    expect_api_error(lambda: core.create_namespace({"metadata": {"name": NS}}), 409, "AlreadyExists")

    step("create configmaps")
    first = core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="first", labels={"app": "py"}), data={"greeting": "hello"}))
    assert first.metadata.uid and first.metadata.resource_version, first.metadata
    assert first.metadata.creation_timestamp is not None
    core.create_namespaced_config_map(NS, {"metadata": {"name": "other", "labels": {"app": "else"}}})

    step("list with a label selector")
    listed = core.list_namespaced_config_map(NS, label_selector="app=py")
    assert [c.metadata.name for c in listed.items] == ["first"], listed.items
    start = listed.metadata.resource_version
    assert start, listed.metadata
    everything = core.list_config_map_for_all_namespaces(field_selector="metadata.namespace=" + NS)
    assert sorted(c.metadata.name for c in everything.items) == ["first", "other"], everything.items

    step("changes after that resourceVersion")
    second = core.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="second", labels={"app": "py"})))
    patched = core.patch_namespaced_config_map("first", NS, {"data": {"greeting": "hi", "extra": "1"}})
    assert patched.data == {"greeting": "hi", "extra": "1"}, patched.data
    assert int(patched.metadata.resource_version) > int(first.metadata.resource_version)
    # A ConfigMap deleted at once is answered with a Status naming it.
    gone = core.delete_namespaced_config_map("second", NS)
    assert gone.status == "Success", gone
    assert gone.details.name == "second" and gone.details.kind == "configmaps", gone.details
    assert gone.details.uid == second.metadata.uid, gone.details

    step("watch from the resourceVersion of the list")
    seen = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, NS, label_selector="app=py",
                          resource_version=start, timeout_seconds=20):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 3:
            w.stop()
    assert seen == [("ADDED", "second"), ("MODIFIED", "first"), ("DELETED", "second")], seen

    step("watch live changes")
    live = []
    ready = threading.Event()

    def watch_live():
        lw = watch.Watch()
        rv = core.list_namespaced_config_map(NS).metadata.resource_version
        ready.set()
        for event in lw.stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=20):
            live.append((event["type"], event["object"].metadata.name,
                         (event["object"].data or {}).get("n")))
            if len(live) == 2:
                lw.stop()

    watcher = threading.Thread(target=watch_live)
    watcher.start()
    assert ready.wait(10)
    core.create_namespaced_config_map(NS, {"metadata": {"name": "live"}, "data": {"n": "1"}})
    core.replace_namespaced_config_map("live", NS, {"metadata": {"name": "live"}, "data": {"n": "2"}})
    watcher.join(30)
    assert live == [("ADDED", "live", "1"), ("MODIFIED", "live", "2")], live

    step("a selector watch sees an object leave the selection as DELETED, and enter it as ADDED")
    rv = core.list_namespaced_config_map(NS, label_selector="app=py").metadata.resource_version
    core.patch_namespaced_config_map("first", NS, {"metadata": {"labels": {"app": "gone"}}})
    core.patch_namespaced_config_map("first", NS, {"metadata": {"labels": {"app": "py"}}})
    moves = []
    sw = watch.Watch()
    for event in sw.stream(core.list_namespaced_config_map, NS, label_selector="app=py", resource_version=rv,
                           timeout_seconds=20):
        moves.append((event["type"], event["object"].metadata.name, event["object"].metadata.labels["app"]))
        if len(moves) == 2:
            sw.stop()
    assert moves == [("DELETED", "first", "gone"), ("ADDED", "first", "py")], moves

    step("pages: limit and continue")
    for i in range(5):
        core.create_namespaced_config_map(NS, {"metadata": {"name": "page-%d" % i, "labels": {"page": "yes"}}})
    names, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_config_map(NS, label_selector="page=yes", limit=2, _continue=token)
        pages += 1
        names += [c.metadata.name for c in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 5 - len(names), page.metadata
    assert names == ["page-%d" % i for i in range(5)] and pages == 3, (names, pages)
    core.delete_collection_namespaced_config_map(NS, label_selector="page=yes")
    assert core.list_namespaced_config_map(NS, label_selector="page=yes").items == []

    step("a watch from a resourceVersion that is not one")
    expect_api_error(lambda: core.list_namespaced_config_map(NS, watch=True, resource_version="abc",
                                                            _preload_content=False), 400, "BadRequest")

    step("merge and JSON patches")
    merged = client.ApiClient().call_api(
        "/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH",
        {"namespace": NS, "name": "first"}, [], {"Content-Type": "application/merge-patch+json",
                                                  "Accept": "application/json"},
        body={"data": {"extra": None}}, response_type="V1ConfigMap", auth_settings=["BearerToken"],
        _return_http_data_only=True)
    assert merged.data == {"greeting": "hi"}, merged.data
    jsonpatched = core.patch_namespaced_config_map("first", NS, [
        {"op": "add", "path": "/metadata/labels/tier", "value": "back"},
        {"op": "replace", "path": "/data/greeting", "value": "hey"}])
    assert jsonpatched.metadata.labels == {"app": "py", "tier": "back"}, jsonpatched.metadata.labels
    assert jsonpatched.data == {"greeting": "hey"}, jsonpatched.data
    expect_api_error(lambda: core.patch_namespaced_config_map("first", NS, [
        {"op": "test", "path": "/data/greeting", "value": "nope"}]), 422, "Invalid")

    step("a stale update is refused")
    stale = core.read_namespaced_config_map("first", NS)
    core.patch_namespaced_config_map("first", NS, {"data": {"greeting": "newer"}})
    stale.data["greeting"] = "older"
    body = expect_api_error(lambda: core.replace_namespaced_config_map("first", NS, stale), 409, "Conflict")
    assert "the object has been modified" in body["message"], body
    assert core.read_namespaced_config_map("first", NS).data["greeting"] == "newer"

    step("a deployment: typed round trip, defaults, scale subresource")
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(
                    name="nginx", image="nginx:1.25",
                    ports=[client.V1ContainerPort(container_port=80)],
                    resources=client.V1ResourceRequirements(requests={"cpu": "100m", "memory": "64Mi"}))]))))
    made = apps.create_namespaced_deployment(NS, deployment)
    assert made.spec.strategy.type == "RollingUpdate", made.spec.strategy
    assert made.spec.strategy.rolling_update.max_surge == "25%", made.spec.strategy
    assert made.spec.revision_history_limit == 10 and made.spec.progress_deadline_seconds == 600
    container = made.spec.template.spec.containers[0]
    assert container.image_pull_policy == "IfNotPresent", container
    assert container.ports[0].protocol == "TCP", container.ports
    assert container.resources.requests == {"cpu": "100m", "memory": "64Mi"}, container.resources
    assert made.metadata.generation == 1, made.metadata

    scale = apps.read_namespaced_deployment_scale("web", NS)
    assert scale.spec.replicas == 2 and scale.status.selector == "app=web", scale
    scaled = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 4}})
    assert scaled.spec.replicas == 4, scaled
    assert apps.read_namespaced_deployment("web", NS).spec.replicas == 4
    scaled = apps.replace_namespaced_deployment_scale("web", NS, client.V1Scale(
        metadata=client.V1ObjectMeta(name="web", namespace=NS), spec=client.V1ScaleSpec(replicas=1)))
    assert scaled.spec.replicas == 1, scaled

    step("strategic merge patch of a deployment merges containers by name")
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox:1.36"}]}}}})
    names = [c.name for c in apps.read_namespaced_deployment("web", NS).spec.template.spec.containers]
    assert names == ["sidecar", "nginx"], names  # patch items first, as Kubernetes orders them

    step("invalid objects are refused with field causes")
    body = expect_api_error(lambda: apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": -1}}),
                            422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.replicas", body
    assert body["details"]["kind"] == "Deployment", body

    step("pods: create, list by field selector, delete")
    pod = core.create_namespaced_pod(NS, client.V1Pod(
        metadata=client.V1ObjectMeta(name="solo", labels={"app": "solo"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36",
                                                             command=["sleep", "3600"])])))
    assert pod.status.phase == "Pending", pod.status
    assert pod.spec.restart_policy == "Always" and pod.spec.termination_grace_period_seconds == 30
    # The Deployment "web" has pods of its own by now: the label picks ours.
    pods = core.list_namespaced_pod(NS, field_selector="status.phase=Pending", label_selector="app=solo")
    assert [p.metadata.name for p in pods.items] == ["solo"], pods.items
    # Pods are among the kinds answered with the deleted object itself.
    deleted = core.delete_namespaced_pod("solo", NS)
    assert deleted.kind == "Pod" and deleted.metadata.name == "solo", deleted
    expect_api_error(lambda: core.read_namespaced_pod("solo", NS), 404, "NotFound")

    step("delete with propagation, and the not-found answer")
    status = apps.delete_namespaced_deployment("web", NS, propagation_policy="Background")
    expect_api_error(lambda: apps.read_namespaced_deployment("web", NS), 404, "NotFound")
    body = expect_api_error(lambda: core.delete_namespaced_config_map("nope", NS), 404, "NotFound")
    assert body["message"] == 'configmaps "nope" not found', body
    assert body["details"] == {"name": "nope", "kind": "configmaps"}, body
    core.delete_collection_namespaced_config_map(NS, label_selector="app=py")
    left = [c.metadata.name for c in core.list_namespaced_config_map(NS).items]
    assert sorted(left) == ["live", "other"], left

    step("delete the namespace")
    core.delete_namespace(NS)
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1])
