#pragma once
// The kubeconfig that lets kubectl and client libraries reach the embedded API server.

#include "engine/core/result.h"

#include <QByteArray>
#include <QString>

namespace cd::cluster {

struct KubeconfigContents {
    QString server;           // https://127.0.0.1:6443
    QByteArray caCertificate; // PEM; empty for plain http
    QByteArray token;
    QString name = QStringLiteral("clusterdeck");
};

QByteArray renderKubeconfig(const KubeconfigContents &contents);
// Written atomically with mode 0600: it holds the token.
Status writeKubeconfig(const QString &path, const KubeconfigContents &contents);

} // namespace cd::cluster
