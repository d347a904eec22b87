// The server-side Table printers: objects in, the cells `kubectl get` shows out, compared with
// what Kubernetes v1.32's printers.go prints for the same objects.

#include "engine/api/printers/printer.h"
#include "engine/api/registry.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

#include <QtTest>

using namespace cd;
using namespace cd::api;

namespace {

// Timestamps in the fixtures are written "AGO:<seconds>" and become that long before the fake now.
void resolveTimes(Json &value, const FakeClock &clock)
{
    if (value.is_string()) {
        const std::string text = value.get<std::string>();
        if (text.rfind("AGO:", 0) == 0)
            value = rfc3339(clock.now() - std::chrono::seconds(std::stoll(text.substr(4))));
    } else if (value.is_structured()) {
        for (auto &child : value)
            resolveTimes(child, clock);
    }
}

QString text(const Json &value) { return QString::fromStdString(value.dump()); }

} // namespace

class PrintersTest : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;

    Json object(const char *json)
    {
        Json o = Json::parse(json);
        resolveTimes(o, m_clock);
        return o;
    }
    const ResourceType &type(const std::string &group, const std::string &kind)
    {
        const ResourceType *t = Registry::builtin().findKind(group, kind);
        if (!t)
            qFatal("kind %s not registered", kind.c_str());
        return *t;
    }
    Json cells(const std::string &group, const std::string &kind, const char *json)
    {
        return renderCells(type(group, kind).cells(object(json)));
    }
    QStringList headers(const std::string &group, const std::string &kind, int priority)
    {
        QStringList out;
        for (const Json &c : columnDefinitions(type(group, kind)))
            if (c["priority"].get<int>() == priority)
                out << QString::fromStdString(c["name"].get<std::string>());
        return out;
    }

private Q_SLOTS:
    void init() { Clock::install(&m_clock); }
    void cleanup() { Clock::install(nullptr); }

    void everyServedKindHasItsPrinter()
    {
        for (const auto &t : Registry::builtin().all()) {
            const printing::Printer *printer = printing::findPrinter(t->group, t->kind);
            QVERIFY2(printer, t->kind.c_str());
            QVERIFY2(!t->columns.empty() && t->cells, t->kind.c_str());
            // One cell per column, even for an object with nothing but a name.
            const Json row = t->cells(Json{{"metadata", {{"name", "x"}}}});
            QCOMPARE(row.size(), t->columns.size());
            int nameColumns = 0;
            for (const TableColumn &c : t->columns)
                nameColumns += c.format == "name";
            QCOMPARE(nameColumns, 1);
        }
    }

    void columnHeaders()
    {
        QCOMPARE(headers("", "Pod", 0), QStringList({"Name", "Ready", "Status", "Restarts", "Age"}));
        QCOMPARE(headers("", "Pod", 1), QStringList({"IP", "Node", "Nominated Node", "Readiness Gates"}));
        QCOMPARE(headers("apps", "Deployment", 0), QStringList({"Name", "Ready", "Up-to-date", "Available", "Age"}));
        QCOMPARE(headers("apps", "Deployment", 1), QStringList({"Containers", "Images", "Selector"}));
        QCOMPARE(headers("apps", "ReplicaSet", 0), QStringList({"Name", "Desired", "Current", "Ready", "Age"}));
        QCOMPARE(headers("batch", "Job", 0), QStringList({"Name", "Status", "Completions", "Duration", "Age"}));
        QCOMPARE(headers("", "Service", 0), QStringList({"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"}));
        QCOMPARE(headers("", "Service", 1), QStringList({"Selector"}));
        QCOMPARE(headers("", "Node", 0), QStringList({"Name", "Status", "Roles", "Age", "Version"}));
        QCOMPARE(headers("", "Node", 1),
                 QStringList({"Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"}));
        QCOMPARE(headers("", "PersistentVolume", 0),
                 QStringList({"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
                              "VolumeAttributesClass", "Reason", "Age"}));
        QCOMPARE(headers("", "PersistentVolumeClaim", 0),
                 QStringList({"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                              "VolumeAttributesClass", "Age"}));
        QCOMPARE(headers("", "PersistentVolumeClaim", 1), QStringList({"VolumeMode"}));
        QCOMPARE(headers("", "Event", 0), QStringList({"Last Seen", "Type", "Reason", "Object", "Message"}));
        QCOMPARE(headers("", "Event", 1), QStringList({"Subobject", "Source", "First Seen", "Count", "Name"}));
        QCOMPARE(headers("", "ResourceQuota", 0), QStringList({"Name", "Age", "Request", "Limit"}));
        QCOMPARE(headers("", "LimitRange", 0), QStringList({"Name", "Created At"}));
        QCOMPARE(headers("storage.k8s.io", "StorageClass", 0),
                 QStringList({"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"}));

        const Json pod = columnDefinitions(type("", "Pod"));
        QCOMPARE(text(pod[0]["format"]), QString("\"name\""));
        QCOMPARE(text(pod[3]["type"]), QString("\"string\""));
        QCOMPARE(text(columnDefinitions(type("apps", "ReplicaSet"))[1]["type"]), QString("\"integer\""));
    }

    void podStatus_data()
    {
        QTest::addColumn<QString>("pod");
        QTest::addColumn<QString>("ready");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("restarts");

        const char *spec1 = R"j("spec":{"containers":[{"name":"a"}]})j";
        auto pod = [&](const char *status, const char *spec = nullptr, const char *meta = "") {
            return QString(R"j({"metadata":{"name":"p","creationTimestamp":"AGO:60"%1},%2,"status":%3})j")
                .arg(meta, spec ? spec : spec1, status);
        };
        QTest::newRow("running") << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}}]})j")
                                 << "1/1" << "Running" << "0";
        QTest::newRow("pending") << pod(R"j({"phase":"Pending"})j") << "0/1" << "Pending" << "0";
        QTest::newRow("no phase") << pod(R"j({})j") << "0/1" << "" << "0";
        QTest::newRow("waiting") << pod(R"j({"phase":"Pending","containerStatuses":[{"name":"a","state":{"waiting":{"reason":"ContainerCreating"}}}]})j")
                                 << "0/1" << "ContainerCreating" << "0";
        QTest::newRow("crash loop") << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO:300"}}}]})j")
                                    << "0/1" << "CrashLoopBackOff" << "2 (5m ago)";
        QTest::newRow("restarts without time") << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":4,"state":{"running":{}}}]})j")
                                               << "1/1" << "Running" << "4";
        QTest::newRow("completed") << pod(R"j({"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})j")
                                   << "0/1" << "Completed" << "0";
        QTest::newRow("signal") << pod(R"j({"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137,"signal":9}}}]})j")
                                << "0/1" << "Signal:9" << "0";
        QTest::newRow("exit code") << pod(R"j({"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":3}}}]})j")
                                   << "0/1" << "ExitCode:3" << "0";
        QTest::newRow("pod reason") << pod(R"j({"phase":"Failed","reason":"Evicted"})j") << "0/1" << "Evicted" << "0";
        QTest::newRow("scheduling gated") << pod(R"j({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]})j")
                                          << "0/1" << "SchedulingGated" << "0";

        const char *twoInits = R"j("spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]})j";
        QTest::newRow("init 0/2") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"running":{}}},{"name":"i2","state":{"waiting":{"reason":"PodInitializing"}}}]})j", twoInits)
                                  << "0/1" << "Init:0/2" << "0";
        QTest::newRow("init 1/2") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"i2","state":{"running":{}}}]})j", twoInits)
                                  << "0/1" << "Init:1/2" << "0";
        QTest::newRow("init error") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":1,"state":{"terminated":{"exitCode":1,"reason":"Error"}},"lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO:30"}}}]})j", twoInits)
                                    << "0/1" << "Init:Error" << "1 (30s ago)";
        QTest::newRow("init exit code") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":2}}}]})j", twoInits)
                                        << "0/1" << "Init:ExitCode:2" << "0";
        QTest::newRow("init signal") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0,"signal":0}}},{"name":"i2","state":{"terminated":{"exitCode":130,"signal":2}}}]})j", twoInits)
                                     << "0/1" << "Init:Signal:2" << "0";
        QTest::newRow("init crash loop") << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]})j", twoInits)
                                         << "0/1" << "Init:CrashLoopBackOff" << "3";
        QTest::newRow("init restarts forgotten once initialized")
            << pod(R"j({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],"initContainerStatuses":[{"name":"i1","restartCount":3,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"i2","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}],"containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]})j", twoInits)
            << "1/1" << "Running" << "0";

        const char *sidecar = R"j("spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"a"}]})j";
        QTest::newRow("sidecar running")
            << pod(R"j({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],"initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,"state":{"running":{}},"lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO:7200"}}}],"containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]})j", sidecar)
            << "2/2" << "Running" << "1 (120m ago)";
        QTest::newRow("sidecar not started")
            << pod(R"j({"phase":"Pending","initContainerStatuses":[{"name":"proxy","started":false,"state":{"running":{}}}]})j", sidecar)
            << "0/2" << "Init:0/1" << "0";

        const char *twoContainers = R"j("spec":{"containers":[{"name":"a"},{"name":"b"}]})j";
        QTest::newRow("completed beside running, ready")
            << pod(R"j({"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"b","ready":true,"state":{"running":{}}}]})j", twoContainers)
            << "1/2" << "Running" << "0";
        QTest::newRow("completed beside running, not ready")
            << pod(R"j({"phase":"Running","conditions":[{"type":"Ready","status":"False"}],"containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"b","ready":true,"state":{"running":{}}}]})j", twoContainers)
            << "1/2" << "NotReady" << "0";
        QTest::newRow("first container's reason wins")
            << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}},{"name":"b","state":{"waiting":{"reason":"ErrImagePull"}}}]})j", twoContainers)
            << "0/2" << "ImagePullBackOff" << "0";
        QTest::newRow("restarts summed, latest time")
            << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":1,"state":{"running":{}},"lastState":{"terminated":{"finishedAt":"AGO:3600"}}},{"name":"b","ready":true,"restartCount":2,"state":{"running":{}},"lastState":{"terminated":{"finishedAt":"AGO:90"}}}]})j", twoContainers)
            << "2/2" << "Running" << "3 (90s ago)";

        const char *deleting = R"j(,"deletionTimestamp":"AGO:5")j";
        QTest::newRow("terminating") << pod(R"j({"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]})j", nullptr, deleting)
                                     << "1/1" << "Terminating" << "0";
        QTest::newRow("deleted after success") << pod(R"j({"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})j", nullptr, deleting)
                                               << "0/1" << "Completed" << "0";
        QTest::newRow("node lost, deleting") << pod(R"j({"phase":"Running","reason":"NodeLost"})j", nullptr, deleting)
                                             << "0/1" << "Unknown" << "0";
        QTest::newRow("node lost") << pod(R"j({"phase":"Running","reason":"NodeLost"})j") << "0/1" << "NodeLost" << "0";
    }

    void podStatus()
    {
        QFETCH(QString, pod);
        const Json row = renderCells(type("", "Pod").cells(object(pod.toUtf8().constData())));
        QCOMPARE(QString::fromStdString(row[0].get<std::string>()), QString("p"));
        QFETCH(QString, ready);
        QFETCH(QString, status);
        QFETCH(QString, restarts);
        QCOMPARE(QString::fromStdString(row[1].get<std::string>()), ready);
        QCOMPARE(QString::fromStdString(row[2].get<std::string>()), status);
        QCOMPARE(QString::fromStdString(row[3].get<std::string>()), restarts);
        QCOMPARE(QString::fromStdString(row[4].get<std::string>()), QString("60s"));
    }

    void podRestartAgeFollowsTheClock()
    {
        const Json pod = object(R"j({"metadata":{"name":"web","creationTimestamp":"AGO:3600"},
            "spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":2,"state":{"running":{}},
                      "lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO:300"}}}]}})j");
        QCOMPARE(text(renderCells(type("", "Pod").cells(pod))[3]), QString("\"2 (5m ago)\""));
        m_clock.advance(std::chrono::minutes(10));
        QCOMPARE(text(renderCells(type("", "Pod").cells(pod))[3]), QString("\"2 (15m ago)\""));
        QCOMPARE(text(renderCells(type("", "Pod").cells(pod))[4]), QString("\"70m\""));
    }

    void podWideCells()
    {
        QCOMPARE(text(cells("", "Pod", R"j({"metadata":{"name":"web"},"spec":{"containers":[{"name":"a"}],"nodeName":"node1",
                 "readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
                 "status":{"phase":"Running","podIP":"10.0.0.9","podIPs":[{"ip":"10.0.0.5"},{"ip":"fd00::5"}],"nominatedNodeName":"node2",
                 "conditions":[{"type":"example.com/lb","status":"True"},{"type":"example.com/dns","status":"False"}]}})j")),
                 QString(R"j(["web","0/1","Running","0","<unknown>","10.0.0.5","node1","node2","1/2"])j"));
        QCOMPARE(text(cells("", "Pod", R"j({"metadata":{"name":"web"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}})j")),
                 QString(R"j(["web","0/1","Pending","0","<unknown>","<none>","<none>","<none>","<none>"])j"));
    }

    void deployment()
    {
        QCOMPARE(text(cells("apps", "Deployment", R"j({"metadata":{"name":"web","creationTimestamp":"AGO:400"},
                 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","tier":"front"}},
                         "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
                 "status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}})j")),
                 QString(R"j(["web","2/3",3,2,"6m40s","nginx,log","nginx:1.27,busybox","app=web,tier=front"])j"));
        QCOMPARE(text(cells("apps", "Deployment", R"j({"metadata":{"name":"new"},"spec":{"replicas":1,
                 "selector":{"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]},
                 "template":{"spec":{"containers":[{"name":"a","image":"i"}]}}}})j")),
                 QString(R"j(["new","0/1",0,0,"<unknown>","a","i","env in (dev,prod)"])j"));
    }

    void replicaSet()
    {
        QCOMPARE(text(cells("apps", "ReplicaSet", R"j({"metadata":{"name":"web-7c5d","creationTimestamp":"AGO:30"},
                 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}},
                 "status":{"replicas":3,"readyReplicas":1}})j")),
                 QString(R"j(["web-7c5d",3,3,1,"30s","nginx","nginx","app=web"])j"));
        QCOMPARE(text(cells("apps", "ReplicaSet", R"j({"metadata":{"name":"x"},"spec":{"selector":{}}})j")),
                 QString(R"j(["x",0,0,0,"<unknown>","","","<none>"])j"));
    }

    void job_data()
    {
        QTest::addColumn<QString>("job");
        QTest::addColumn<QString>("expected");
        const QString base = R"j({"metadata":{"name":"pi","creationTimestamp":"AGO:600"%1},"spec":{%2"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}},"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}}},"status":%3})j";
        QTest::newRow("running") << base.arg("", R"j("completions":1,)j", R"j({"startTime":"AGO:125","active":1})j")
                                 << R"j(["pi","Running","0/1","2m5s","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("complete") << base.arg("", R"j("completions":3,)j", R"j({"startTime":"AGO:500","completionTime":"AGO:200","succeeded":3,"conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]})j")
                                  << R"j(["pi","Complete","3/3","5m","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("failed") << base.arg("", "", R"j({"startTime":"AGO:500","conditions":[{"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True"}]})j")
                                << R"j(["pi","Failed","0/1","8m20s","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("failure target") << base.arg("", "", R"j({"conditions":[{"type":"FailureTarget","status":"True"}]})j")
                                        << R"j(["pi","FailureTarget","0/1","","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("suspended") << base.arg("", R"j("parallelism":4,)j", R"j({"conditions":[{"type":"Suspended","status":"True"}]})j")
                                   << R"j(["pi","Suspended","0/1 of 4","","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("terminating") << base.arg(R"j(,"deletionTimestamp":"AGO:1")j", "", R"j({"conditions":[{"type":"Suspended","status":"True"}]})j")
                                     << R"j(["pi","Terminating","0/1","","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
        QTest::newRow("condition not true") << base.arg("", R"j("parallelism":1,)j", R"j({"succeeded":0,"conditions":[{"type":"Complete","status":"False"}]})j")
                                            << R"j(["pi","Running","0/1","","10m","pi","perl","batch.kubernetes.io/controller-uid=u1"])j";
    }

    void job()
    {
        QFETCH(QString, job);
        QFETCH(QString, expected);
        QCOMPARE(text(cells("batch", "Job", job.toUtf8().constData())), expected);
    }

    void service_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cluster ip") << R"j({"metadata":{"name":"web"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"selector":{"tier":"front","app":"web"}}})j"
                                    << R"j(["web","ClusterIP","10.96.0.10","<none>","80/TCP,53/UDP","<unknown>","app=web,tier=front"])j";
        QTest::newRow("external ips") << R"j({"metadata":{"name":"web"},"spec":{"type":"ClusterIP","clusterIPs":["10.96.0.11"],"externalIPs":["1.2.3.4","5.6.7.8"],"ports":[{"port":80,"protocol":"TCP"}]}})j"
                                      << R"j(["web","ClusterIP","10.96.0.11","1.2.3.4,5.6.7.8","80/TCP","<unknown>","<none>"])j";
        QTest::newRow("headless") << R"j({"metadata":{"name":"db"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]}})j"
                                  << R"j(["db","ClusterIP","None","<none>","<none>","<unknown>","<none>"])j";
        QTest::newRow("node port") << R"j({"metadata":{"name":"web"},"spec":{"type":"NodePort","clusterIPs":["10.96.0.12"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}})j"
                                   << R"j(["web","NodePort","10.96.0.12","<none>","80:30080/TCP","<unknown>","<none>"])j";
        QTest::newRow("load balancer pending") << R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.13"],"ports":[{"port":443,"nodePort":31443,"protocol":"TCP"}]},"status":{"loadBalancer":{}}})j"
                                               << R"j(["lb","LoadBalancer","10.96.0.13","<pending>","443:31443/TCP","<unknown>","<none>"])j";
        QTest::newRow("load balancer ingress") << R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.13"]},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.9"},{"hostname":"lb.example.com"},{"ip":"203.0.113.1"},{"ip":"203.0.113.9"}]}}})j"
                                               << R"j(["lb","LoadBalancer","10.96.0.13","203.0.113.1,203.0.113.9,lb.example.com","<none>","<unknown>","<none>"])j";
        QTest::newRow("load balancer and external ips") << R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.13"],"externalIPs":["1.2.3.4"]},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.9"}]}}})j"
                                                        << R"j(["lb","LoadBalancer","10.96.0.13","203.0.113.9,1.2.3.4","<none>","<unknown>","<none>"])j";
        QTest::newRow("load balancer external ips only") << R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","externalIPs":["1.2.3.4"]}})j"
                                                         << R"j(["lb","LoadBalancer","<none>","1.2.3.4","<none>","<unknown>","<none>"])j";
        QTest::newRow("external name") << R"j({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"db.example.com"}})j"
                                       << R"j(["ext","ExternalName","<none>","db.example.com","<none>","<unknown>","<none>"])j";
    }

    void service()
    {
        QFETCH(QString, service);
        QFETCH(QString, expected);
        QCOMPARE(text(cells("", "Service", service.toUtf8().constData())), expected);
    }

    void endpoints()
    {
        QCOMPARE(text(cells("", "Endpoints", R"j({"metadata":{"name":"web"}})j")), QString(R"j(["web","<none>","<unknown>"])j"));
        QCOMPARE(text(cells("", "Endpoints", R"j({"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]},{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":8080}]}]})j")),
                 QString(R"j(["web","10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...","<unknown>"])j"));
        QCOMPARE(text(cells("", "Endpoints", R"j({"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":8080}]},{"addresses":[{"ip":"10.0.0.7"}]}]})j")),
                 QString(R"j(["web","[fd00::1]:8080,10.0.0.7","<unknown>"])j"));
        QCOMPARE(text(cells("", "Endpoints", R"j({"metadata":{"name":"web"},"subsets":[{"notReadyAddresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]})j")),
                 QString(R"j(["web","","<unknown>"])j"));
    }

    void endpointSlice()
    {
        QCOMPARE(text(cells("discovery.k8s.io", "EndpointSlice", R"j({"metadata":{"name":"web-abc"},"addressType":"IPv4",
                 "ports":[{"name":"http","port":80},{"name":"named"},{},{"port":9000}],
                 "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2","10.0.0.3"]},{"addresses":["10.0.0.4"]}]})j")),
                 QString(R"j(["web-abc","IPv4","80,named,* + 1 more...","10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...","<unknown>"])j"));
        QCOMPARE(text(cells("discovery.k8s.io", "EndpointSlice", R"j({"metadata":{"name":"empty"},"addressType":"IPv6"})j")),
                 QString(R"j(["empty","IPv6","<unset>","<unset>","<unknown>"])j"));
    }

    void node_data()
    {
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("expected");
        QTest::newRow("control plane") << R"j({"metadata":{"name":"n1","creationTimestamp":"AGO:90000","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":"true","kubernetes.io/hostname":"n1"}},
            "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
                      "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.10"},{"type":"InternalIP","address":"192.168.1.11"}],
                      "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0","containerRuntimeVersion":"cri-o-1.32.0"}}})j"
            << R"j(["n1","Ready","control-plane,worker","25h","v1.32.0","192.168.1.10","<none>","Debian GNU/Linux 12","6.1.0","cri-o-1.32.0"])j";
        QTest::newRow("cordoned") << R"j({"metadata":{"name":"n2","labels":{"kubernetes.io/role":"edge","node-role.kubernetes.io/":""}},"spec":{"unschedulable":true},
            "status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"ExternalIP","address":"203.0.113.5"}]}})j"
            << R"j(["n2","Ready,SchedulingDisabled","edge","<unknown>","","<none>","203.0.113.5","<unknown>","<unknown>","<unknown>"])j";
        QTest::newRow("not ready") << R"j({"metadata":{"name":"n3"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})j"
                                   << R"j(["n3","NotReady","<none>","<unknown>","","<none>","<none>","<unknown>","<unknown>","<unknown>"])j";
        QTest::newRow("no condition, cordoned") << R"j({"metadata":{"name":"n4"},"spec":{"unschedulable":true}})j"
                                                << R"j(["n4","Unknown,SchedulingDisabled","<none>","<unknown>","","<none>","<none>","<unknown>","<unknown>","<unknown>"])j";
    }

    void node()
    {
        QFETCH(QString, node);
        QFETCH(QString, expected);
        QCOMPARE(text(cells("", "Node", node.toUtf8().constData())), expected);
    }

    void persistentVolume()
    {
        QCOMPARE(text(cells("", "PersistentVolume", R"j({"metadata":{"name":"pv1","creationTimestamp":"AGO:10"},
                 "spec":{"capacity":{"storage":"1.5Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Retain",
                         "claimRef":{"namespace":"default","name":"data"},"storageClassName":"manual","volumeMode":"Filesystem"},
                 "status":{"phase":"Bound"}})j")),
                 QString(R"j(["pv1","1536Mi","RWO,RWX","Retain","Bound","default/data","manual","<unset>","","10s","Filesystem"])j"));
        QCOMPARE(text(cells("", "PersistentVolume", R"j({"metadata":{"name":"pv2","deletionTimestamp":"AGO:1","annotations":{"volume.beta.kubernetes.io/storage-class":"old"}},
                 "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteOncePod","ReadOnlyMany"],"persistentVolumeReclaimPolicy":"Delete","storageClassName":"new","volumeAttributesClassName":"gold"},
                 "status":{"phase":"Failed","reason":"Recycle failed"}})j")),
                 QString(R"j(["pv2","10Gi","ROX,RWOP","Delete","Terminating","","old","gold","Recycle failed","<unknown>","<unset>"])j"));
    }

    void persistentVolumeClaim()
    {
        QCOMPARE(text(cells("", "PersistentVolumeClaim", R"j({"metadata":{"name":"data","creationTimestamp":"AGO:20"},
                 "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"3Gi"}},"storageClassName":"standard"},
                 "status":{"phase":"Pending"}})j")),
                 QString(R"j(["data","Pending","","","","standard","<unset>","20s","<unset>"])j"));
        QCOMPARE(text(cells("", "PersistentVolumeClaim", R"j({"metadata":{"name":"data"},
                 "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"3Gi"}},"volumeName":"pv1","volumeMode":"Block"},
                 "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"5Gi"}}})j")),
                 QString(R"j(["data","Bound","pv1","5Gi","RWO","","<unset>","<unknown>","Block"])j"));
    }

    void storageClass()
    {
        QCOMPARE(text(cells("storage.k8s.io", "StorageClass", R"j({"metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
                 "provisioner":"rancher.io/local-path","reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer","allowVolumeExpansion":true})j")),
                 QString(R"j(["standard (default)","rancher.io/local-path","Retain","WaitForFirstConsumer",true,"<unknown>"])j"));
        QCOMPARE(text(cells("storage.k8s.io", "StorageClass", R"j({"metadata":{"name":"slow","annotations":{"storageclass.kubernetes.io/is-default-class":"false"}},"provisioner":"x"})j")),
                 QString(R"j(["slow","x","Delete","Immediate",false,"<unknown>"])j"));
    }

    void configObjects()
    {
        QCOMPARE(text(cells("", "ConfigMap", R"j({"metadata":{"name":"cfg"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})j")),
                 QString(R"j(["cfg",3,"<unknown>"])j"));
        QCOMPARE(text(cells("", "Secret", R"j({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})j")),
                 QString(R"j(["s","kubernetes.io/tls",2,"<unknown>"])j"));
        QCOMPARE(text(cells("", "ServiceAccount", R"j({"metadata":{"name":"default"}})j")), QString(R"j(["default",0,"<unknown>"])j"));
        QCOMPARE(text(cells("", "ResourceQuota", R"j({"metadata":{"name":"q","creationTimestamp":"AGO:5"},
                 "spec":{"hard":{"pods":"10"}},
                 "status":{"hard":{"pods":"10","requests.cpu":"1","limits.memory":"2Gi","limits.cpu":"2","requests.memory":"1024Mi"},
                           "used":{"pods":"3","requests.cpu":"500m","limits.cpu":"0"}}})j")),
                 QString(R"j(["q","5s","pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi","limits.cpu: 0/2, limits.memory: 0/2Gi"])j"));
        QCOMPARE(text(cells("", "LimitRange", R"j({"metadata":{"name":"limits","creationTimestamp":"2025-01-02T03:04:05Z"}})j")),
                 QString(R"j(["limits","2025-01-02T03:04:05Z"])j"));
    }

    void event_data()
    {
        QTest::addColumn<QString>("event");
        QTest::addColumn<QString>("expected");
        QTest::newRow("recorder event") << R"j({"metadata":{"name":"web.1"},"involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{nginx}"},
            "type":"Normal","reason":"Pulled","message":"  Container image pulled \n","source":{"component":"kubelet","host":"node1"},
            "firstTimestamp":"AGO:600","lastTimestamp":"AGO:60","count":4})j"
            << R"j(["60s","Normal","Pulled","pod/web","spec.containers{nginx}","kubelet, node1","Container image pulled","10m",4,"web.1"])j";
        QTest::newRow("new api singleton") << R"j({"metadata":{"name":"web.2"},"involvedObject":{"kind":"Deployment","name":"web"},
            "type":"Normal","reason":"ScalingReplicaSet","message":"Scaled up","eventTime":"AGO:30","reportingComponent":"deployment-controller","reportingInstance":""})j"
            << R"j(["30s","Normal","ScalingReplicaSet","deployment/web","","deployment-controller","Scaled up","30s",1,"web.2"])j";
        QTest::newRow("new api series") << R"j({"metadata":{"name":"web.3"},"involvedObject":{"kind":"Node"},"type":"Warning","reason":"Rebooted",
            "eventTime":"AGO:900","series":{"count":7,"lastObservedTime":"AGO:120"},"reportingComponent":"kubelet","reportingInstance":"node9","count":2})j"
            << R"j(["2m","Warning","Rebooted","node","","kubelet, node9","","15m",7,"web.3"])j";
        QTest::newRow("no times") << R"j({"metadata":{"name":"e"},"involvedObject":{"kind":"ReplicaSet","name":"rs"}})j"
                                  << R"j(["<unknown>","","","replicaset/rs","","","","<unknown>",1,"e"])j";
    }

    void event()
    {
        QFETCH(QString, event);
        QFETCH(QString, expected);
        QCOMPARE(text(cells("", "Event", event.toUtf8().constData())), expected);
    }

    void namespaceAndLease()
    {
        QCOMPARE(text(cells("", "Namespace", R"j({"metadata":{"name":"dev","creationTimestamp":"AGO:172800"},"status":{"phase":"Terminating"}})j")),
                 QString(R"j(["dev","Terminating","2d"])j"));
        QCOMPARE(text(cells("coordination.k8s.io", "Lease", R"j({"metadata":{"name":"node1"},"spec":{"holderIdentity":"node1"}})j")),
                 QString(R"j(["node1","node1","<unknown>"])j"));
        QCOMPARE(text(cells("coordination.k8s.io", "Lease", R"j({"metadata":{"name":"free"},"spec":{}})j")),
                 QString(R"j(["free","","<unknown>"])j"));
    }

    void tableCarriesTheColumns()
    {
        const ResourceType &pods = type("", "Pod");
        const Json row = tableRow(pods, object(R"j({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}})j"), IncludeObject::None);
        const Json table = makeTable(pods, Json::array({row}), "7");
        QCOMPARE(table["columnDefinitions"].size(), size_t(9));
        QCOMPARE(text(table["columnDefinitions"][5]), QString(R"j({"description":"IP address allocated to the pod.","format":"","name":"IP","priority":1,"type":"string"})j"));
        QCOMPARE(table["rows"][0]["cells"].size(), size_t(9));
    }
};

QTEST_GUILESS_MAIN(PrintersTest)
#include "tst_printers.moc"
