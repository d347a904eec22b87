// The ClusterIP and node port allocation of Services through the real API pipeline.
#include "apitestkit.h"

#include <set>

using namespace cd;
using namespace cd::api;
using namespace cd::test;

class TestServiceAllocation : public QObject {
    Q_OBJECT

    std::unique_ptr<ApiTestKit> m_kit;

    ApiResponse send(Method method, const std::string &path, const Json &body = Json())
    {
        return m_kit->send(method, path, body);
    }
    static Json service(const std::string &name, const std::string &type, Json ports, const std::string &ip = {})
    {
        Json s = {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}}},
                  {"spec", {{"type", type}, {"selector", {{"app", name}}}, {"ports", std::move(ports)}}}};
        if (!ip.empty())
            s["spec"]["clusterIP"] = ip;
        return s;
    }
    Json create(const Json &object, int expectedStatus = 201)
    {
        return m_kit->create("/api/v1/namespaces/default/services", object, expectedStatus);
    }

private Q_SLOTS:
    void init()
    {
        m_kit = std::make_unique<ApiTestKit>();
        QVERIFY(m_kit->bootstrapped());
    }
    void cleanup() { m_kit.reset(); }

    void clusterIPsAreAllocatedFromTheRangeAndDistinct()
    {
        std::set<std::string> seen;
        for (int i = 0; i < 50; ++i) {
            const Json s = create(service("s" + std::to_string(i), "ClusterIP", {{{"port", 80}}}));
            const std::string ip = str(s, {"spec", "clusterIP"});
            QVERIFY2(QRegularExpression("^10\\.(9[6-9]|10[0-9]|11[01])\\.\\d+\\.\\d+$")
                         .match(QString::fromStdString(ip))
                         .hasMatch(),
                     ip.c_str());
            QCOMPARE(s["spec"]["clusterIPs"], Json::array({ip}));
            QVERIFY2(seen.insert(ip).second, ip.c_str());
        }
    }

    void aGivenClusterIPIsKeptAndNeverGivenTwice()
    {
        const Json first = create(service("a", "ClusterIP", {{{"port", 80}}}, "10.96.0.10"));
        QCOMPARE(str(first, {"spec", "clusterIP"}), std::string("10.96.0.10"));
        const Json refused = create(service("b", "ClusterIP", {{{"port", 80}}}, "10.96.0.10"), 422);
        QCOMPARE(str(refused, {"message"}),
                 std::string("Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: "
                             "failed to allocate IP 10.96.0.10: provided IP is already allocated"));
        QCOMPARE(send(Method::Get, "/api/v1/namespaces/default/services/b").status, 404);
        // Released on delete: the address can be taken again.
        QCOMPARE(send(Method::Delete, "/api/v1/namespaces/default/services/a").status, 200);
        create(service("b", "ClusterIP", {{{"port", 80}}}, "10.96.0.10"));
    }

    void anAddressOutsideTheRangeIsRefused()
    {
        const Json refused = create(service("c", "ClusterIP", {{{"port", 80}}}, "10.0.0.5"), 422);
        QCOMPARE(str(refused, {"message"}),
                 std::string("Service \"c\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: "
                             "failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. "
                             "The range of valid IPs is 10.96.0.0/12"));
    }

    void headlessServicesGetNoAddress()
    {
        const Json s = create(service("h", "ClusterIP", {{{"port", 80}}}, "None"));
        QCOMPARE(str(s, {"spec", "clusterIP"}), std::string("None"));
    }

    void nodePortsAreAllocatedAndNeverGivenTwice()
    {
        const Json s = create(service("np", "NodePort", {{{"port", 80}, {"name", "http"}}, {{"port", 443}, {"name", "https"}}}));
        const long long a = integer(s["spec"]["ports"][0], {"nodePort"});
        const long long b = integer(s["spec"]["ports"][1], {"nodePort"});
        QVERIFY(a >= 30000 && a <= 32767);
        QVERIFY(b >= 30000 && b <= 32767);
        QVERIFY(a != b);
        const Json refused = create(service("np2", "NodePort", {{{"port", 80}, {"nodePort", a}}}), 422);
        QCOMPARE(str(refused, {"message"}), "Service \"np2\" is invalid: spec.ports[0].nodePort: Invalid value: " +
                                                std::to_string(a) + ": provided port is already allocated");
        // A LoadBalancer gets node ports too; a ClusterIP Service none.
        const Json lb = create(service("lb", "LoadBalancer", {{{"port", 80}}}));
        QVERIFY(integer(lb["spec"]["ports"][0], {"nodePort"}) >= 30000);
        const Json cip = create(service("cip", "ClusterIP", {{{"port", 80}}}));
        QVERIFY(!cip["spec"]["ports"][0].contains("nodePort"));
    }

    void updatesKeepTheirAddressAndPorts()
    {
        const Json s = create(service("u", "NodePort", {{{"port", 80}}}));
        Json changed = s;
        changed["metadata"]["labels"] = {{"x", "y"}};
        const ApiResponse r = send(Method::Put, "/api/v1/namespaces/default/services/u", changed);
        QCOMPARE(r.status, 200);
        const Json updated = Json::parse(r.body);
        QCOMPARE(updated["spec"]["clusterIP"], s["spec"]["clusterIP"]);
        QCOMPARE(updated["spec"]["ports"][0]["nodePort"], s["spec"]["ports"][0]["nodePort"]);
    }
};

QTEST_GUILESS_MAIN(TestServiceAllocation)
#include "tst_serviceallocation.moc"
