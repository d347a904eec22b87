#include "engine/proxy/dnsservice.h"

#include "engine/client/resources.h"

namespace cd::proxy {

Json dnsServiceObject(const std::string &clusterIp)
{
    return {{"apiVersion", "v1"},
            {"kind", "Service"},
            {"metadata",
             {{"name", kDnsServiceName},
              {"namespace", kDnsServiceNamespace},
              {"labels",
               {{"k8s-app", "kube-dns"}, {"kubernetes.io/cluster-service", "true"}, {"kubernetes.io/name", "KubeDNS"}}},
              {"annotations", {{"clusterdeck.io/served-by", "the engine's service proxy (no pods)"}}}}},
            {"spec",
             {{"type", "ClusterIP"},
              {"clusterIP", clusterIp},
              {"ports", Json::array({{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}, {"targetPort", 53}},
                                     {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}, {"targetPort", 53}}})}}}};
}

void ensureDnsService(client::Client *client, const std::string &clusterIp, std::function<void(bool)> done)
{
    static const client::Resource *services = client::builtinResource("services");
    client->get(*services, kDnsServiceNamespace, kDnsServiceName,
                [client, clusterIp, done = std::move(done)](const client::Response &found) {
                    if (found.ok()) {
                        done(true);
                        return;
                    }
                    if (found.status != 404) {
                        done(false);
                        return;
                    }
                    client->create(*services, kDnsServiceNamespace, dnsServiceObject(clusterIp),
                                   [done](const client::Response &created) {
                                       if (!created.ok() && created.status != 409)
                                           qWarning("service proxy: the kube-dns Service was not created: %s",
                                                    created.message().c_str());
                                       done(created.ok() || created.status == 409);
                                   });
                });
}

} // namespace cd::proxy
