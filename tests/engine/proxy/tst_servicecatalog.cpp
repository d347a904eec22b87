// The proxy's catalog: Services joined with their EndpointSlices into the ports it programs
// (ready backends only, named targetPorts resolved per slice, terminating ones as a fallback)
// and the names the cluster DNS answers.
#include "engine/proxy/servicecatalog.h"

#include <QtTest>

using namespace cd;
using namespace cd::proxy;

namespace {

Json service(const std::string &name, const std::string &clusterIp, Json ports, const std::string &type = "ClusterIP")
{
    return {{"metadata", {{"name", name}, {"namespace", "shop"}}},
            {"spec", {{"type", type}, {"clusterIP", clusterIp}, {"ports", std::move(ports)}}}};
}

Json endpoint(const std::string &ip, bool ready, bool terminating = false, const std::string &hostname = {})
{
    Json e = {{"addresses", {ip}},
              {"conditions", {{"ready", ready}, {"serving", ready || terminating}, {"terminating", terminating}}}};
    if (!hostname.empty())
        e["hostname"] = hostname;
    return e;
}

Json slice(const std::string &name, const std::string &serviceName, Json ports, Json endpoints)
{
    return {{"metadata",
             {{"name", name}, {"namespace", "shop"}, {"labels", {{"kubernetes.io/service-name", serviceName}}}}},
            {"addressType", "IPv4"},
            {"ports", std::move(ports)},
            {"endpoints", std::move(endpoints)}};
}

const ServicePortInfo *portNamed(const std::vector<ServicePortInfo> &ports, const std::string &service,
                                 const std::string &portName)
{
    for (const ServicePortInfo &port : ports) {
        if (port.name == service && port.portName == portName)
            return &port;
    }
    return nullptr;
}

} // namespace

class TestServiceCatalog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readyBackendsWithResolvedPorts()
    {
        ServiceCatalog catalog;
        QVERIFY(catalog.setService(service("web", "10.96.0.50",
                                           Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", "web"}},
                                                        {{"name", "metrics"}, {"port", 9100}}}))));
        // Two slices: the named targetPort resolves to 8080 on some pods and 9090 on another.
        QVERIFY(catalog.setEndpointSlice(slice(
            "web-a", "web",
            Json::array(
                {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}, {{"name", "metrics"}, {"port", 9100}}}),
            Json::array({endpoint("10.244.0.3", true), endpoint("10.244.0.2", true), endpoint("10.244.0.4", false)}))));
        QVERIFY(catalog.setEndpointSlice(slice("web-b", "web", Json::array({{{"name", "http"}, {"port", 9090}}}),
                                               Json::array({endpoint("10.244.1.7", true)}))));
        const auto ports = catalog.servicePorts();
        QCOMPARE(ports.size(), size_t(2));
        const ServicePortInfo *http = portNamed(ports, "web", "http");
        QVERIFY(http);
        QCOMPARE(http->clusterIp, std::string("10.96.0.50"));
        QCOMPARE(http->port, 80);
        QCOMPARE(http->protocol, std::string("TCP"));
        // Sorted, the not-ready 10.244.0.4 left out.
        const std::vector<Backend> expected = {{"10.244.0.2", 8080}, {"10.244.0.3", 8080}, {"10.244.1.7", 9090}};
        QVERIFY(http->backends == expected);
        const ServicePortInfo *metrics = portNamed(ports, "web", "metrics");
        QVERIFY(metrics);
        QVERIFY((metrics->backends == std::vector<Backend>{{"10.244.0.2", 9100}, {"10.244.0.3", 9100}}));
    }

    void terminatingEndpointsOnlyAsFallback()
    {
        ServiceCatalog catalog;
        catalog.setService(service("db", "10.96.0.60", Json::array({{{"port", 5432}}})));
        catalog.setEndpointSlice(
            slice("db-x", "db", Json::array({{{"port", 5432}}}),
                  Json::array({endpoint("10.244.0.9", false, true), endpoint("10.244.0.8", false)})));
        auto ports = catalog.servicePorts();
        QCOMPARE(ports.size(), size_t(1));
        QVERIFY((ports[0].backends == std::vector<Backend>{{"10.244.0.9", 5432}}));
        // Once one is ready, the terminating one gets nothing.
        catalog.setEndpointSlice(
            slice("db-x", "db", Json::array({{{"port", 5432}}}),
                  Json::array({endpoint("10.244.0.9", false, true), endpoint("10.244.0.8", true)})));
        ports = catalog.servicePorts();
        QVERIFY((ports[0].backends == std::vector<Backend>{{"10.244.0.8", 5432}}));
    }

    void changesAreReportedOnlyWhenTheyMatter()
    {
        ServiceCatalog catalog;
        Json web = service("web", "10.96.0.50", Json::array({{{"port", 80}}}));
        QVERIFY(catalog.setService(web));
        web["metadata"]["resourceVersion"] = "99"; // nothing the proxy uses
        QVERIFY(!catalog.setService(web));
        web["spec"]["ports"][0]["nodePort"] = 30080;
        QVERIFY(catalog.setService(web));
        const Json s =
            slice("web-a", "web", Json::array({{{"port", 80}}}), Json::array({endpoint("10.244.0.2", true)}));
        QVERIFY(catalog.setEndpointSlice(s));
        QVERIFY(!catalog.setEndpointSlice(s));
        QVERIFY(catalog.removeEndpointSlice("shop", "web-a"));
        QVERIFY(!catalog.removeEndpointSlice("shop", "web-a"));
        QVERIFY(catalog.servicePorts()[0].backends.empty());
        QVERIFY(catalog.removeService("shop", "web"));
        QVERIFY(catalog.servicePorts().empty());
        // A slice that is not IPv4, or names no Service, is not the proxy's.
        Json fqdn = s;
        fqdn["addressType"] = "FQDN";
        QVERIFY(!catalog.setEndpointSlice(fqdn));
        QCOMPARE(catalog.sliceCount(), size_t(0));
    }

    void nodePortsAndLoadBalancers()
    {
        ServiceCatalog catalog;
        Json lb = service("front", "10.96.0.70", Json::array({{{"port", 8080}, {"nodePort", 31234}}}), "LoadBalancer");
        lb["status"] = {{"loadBalancer", {{"ingress", Json::array({{{"ip", "127.0.10.3"}}})}}}};
        catalog.setService(lb);
        catalog.setService(service("headless", "None", Json::array({{{"port", 80}}})));
        Json external = service("ext", "", Json::array(), "ExternalName");
        external["spec"]["externalName"] = "db.example.org";
        catalog.setService(external);
        const auto ports = catalog.servicePorts();
        QCOMPARE(ports.size(), size_t(1)); // headless and ExternalName Services are not proxied
        QCOMPARE(ports[0].nodePort, 31234);
        QVERIFY(ports[0].loadBalancerIps == std::vector<std::string>{"127.0.10.3"});
    }

    void dnsNames()
    {
        ServiceCatalog catalog;
        catalog.setService(service("web", "10.96.0.50", Json::array({{{"port", 80}}})));
        catalog.setService(service("db", "None", Json::array({{{"port", 5432}}})));
        catalog.setEndpointSlice(slice(
            "db-1", "db", Json::array({{{"port", 5432}}}),
            Json::array({endpoint("10.244.0.12", true, false, "db-0"), endpoint("10.244.0.11", true, false, "db-1"),
                         endpoint("10.244.0.13", false, false, "db-2")})));
        Json external = service("ext", "", Json::array(), "ExternalName");
        external["spec"]["externalName"] = "DB.example.org";
        catalog.setService(external);

        for (const char *name :
             {"web.shop.svc.cluster.local", "WEB.Shop.svc.cluster.local.", "web.shop.svc.cluster.local."}) {
            const DnsLookup found = catalog.lookup(name);
            QVERIFY2(found.outcome == DnsLookup::Outcome::Found, name);
            QVERIFY(found.addresses == std::vector<std::string>{"10.96.0.50"});
        }
        // Short forms are the resolver's work (the search path): the server sees full names.
        for (const char *name :
             {"web", "web.shop", "web.shop.svc", "web.other.svc.cluster.local", "shop.svc.cluster.local",
              "x.web.shop.svc.cluster.local", "web.shop.svc.cluster.local.example.org", ""})
            QVERIFY2(catalog.lookup(name).outcome == DnsLookup::Outcome::NoSuchName, name);
        // A headless Service: its ready endpoints; one by its hostname.
        const DnsLookup db = catalog.lookup("db.shop.svc.cluster.local");
        QVERIFY((db.addresses == std::vector<std::string>{"10.244.0.11", "10.244.0.12"}));
        QVERIFY(catalog.lookup("db-0.db.shop.svc.cluster.local").addresses == std::vector<std::string>{"10.244.0.12"});
        QVERIFY(catalog.lookup("db-2.db.shop.svc.cluster.local").outcome == DnsLookup::Outcome::NoSuchName);
        const DnsLookup ext = catalog.lookup("ext.shop.svc.cluster.local");
        QVERIFY(ext.outcome == DnsLookup::Outcome::Found);
        QCOMPARE(ext.canonicalName, std::string("db.example.org"));
        // Another cluster domain.
        ServiceCatalog other("corp.internal");
        other.setService(service("web", "10.96.0.50", Json::array({{{"port", 80}}})));
        QVERIFY(other.lookup("web.shop.svc.corp.internal").outcome == DnsLookup::Outcome::Found);
        QVERIFY(other.lookup("web.shop.svc.cluster.local").outcome == DnsLookup::Outcome::NoSuchName);
    }
};

QTEST_GUILESS_MAIN(TestServiceCatalog)
#include "tst_servicecatalog.moc"
