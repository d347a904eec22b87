#include "engine/runtime/sandboxfiles.h"

#include "engine/runtime/network/clusternetwork.h"

#include <QDir>
#include <QFile>

namespace cd::runtime {
namespace {

Status writeFile(const QString &path, const std::string &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(QByteArray::fromStdString(text)) < 0)
        return Error::internal("cannot write " + path.toStdString());
    return {};
}

} // namespace

Result<SandboxFiles> writeSandboxFiles(const QString &stateDir, const SandboxSpec &spec, const std::string &clusterDns,
                                       const std::string &clusterDomain)
{
    SandboxFiles files;
    files.dir = stateDir + QStringLiteral("/sandboxes/") + QString::fromStdString(spec.podUid);
    if (stateDir.isEmpty() || !QDir().mkpath(files.dir))
        return Error::internal("cannot create the pod's folder " + files.dir.toStdString());
    files.hostsFile = files.dir + QStringLiteral("/hosts");
    CD_CHECK(writeFile(files.hostsFile, "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                                        "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                                        "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" +
                                            spec.ip + "\t" + spec.hostname + "\n"));
    if (!clusterDns.empty()) {
        // ClusterFirst: the cluster DNS, then the names of the pod's namespace, its Services and
        // the cluster, tried before a name as given.
        files.resolvConf = files.dir + QStringLiteral("/resolv.conf");
        CD_CHECK(writeFile(files.resolvConf, "nameserver " + clusterDns + "\nsearch " + spec.podNamespace + ".svc." +
                                                 clusterDomain + " svc." + clusterDomain + " " + clusterDomain +
                                                 "\noptions ndots:5\n"));
    }
    if (!spec.logDirectory.empty())
        QDir().mkpath(QString::fromStdString(spec.logDirectory));
    return files;
}

void removeSandboxFiles(const SandboxFiles &files, network::ClusterNetwork *network, const SandboxSpec &spec)
{
    QDir(files.dir).removeRecursively();
    if (network)
        if (Status removed = network->removePod(spec.podUid); !removed.ok())
            qWarning("the network of pod %s stays: %s", spec.podName.c_str(), removed.error().message.c_str());
}

} // namespace cd::runtime
