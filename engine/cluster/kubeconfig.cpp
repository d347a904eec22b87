#include "engine/cluster/kubeconfig.h"

#include "engine/server/certificates.h"

#include <QDir>
#include <QFileInfo>

namespace cd::cluster {

QByteArray renderKubeconfig(const KubeconfigContents &c)
{
    const QByteArray name = c.name.toUtf8();
    QByteArray out;
    out += "apiVersion: v1\nkind: Config\n";
    out += "clusters:\n- name: " + name + "\n  cluster:\n    server: " + c.server.toUtf8() + "\n";
    if (!c.caCertificate.isEmpty())
        out += "    certificate-authority-data: " + c.caCertificate.toBase64() + "\n";
    out += "users:\n- name: " + name + "\n  user:\n    token: " + c.token + "\n";
    out += "contexts:\n- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name +
           "\n    namespace: default\n";
    out += "current-context: " + name + "\npreferences: {}\n";
    return out;
}

Status writeKubeconfig(const QString &path, const KubeconfigContents &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return server::writePrivateFile(path, renderKubeconfig(contents));
}

} // namespace cd::cluster
