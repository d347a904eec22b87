#pragma once
// The local certificate authority and the API server's certificate, made at first start in the
// data folder (ca.crt, ca.key, server.crt, server.key) and reused afterwards. EC P-256 keys: quick
// to make (the engine must serve within milliseconds of starting) and accepted by Go's TLS.

#include "engine/core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace cd::server {

struct TlsMaterial {
    QByteArray caCertificatePem;
    QByteArray certificatePem;
    QByteArray privateKeyPem;
};

// Loads the CA and server certificate from dir, making any that are missing. The server
// certificate names 127.0.0.1, ::1 and localhost, plus extraHosts (IP addresses or DNS names).
Result<TlsMaterial> ensureCertificates(const QString &dir, const QStringList &extraHosts = {});

// A random bearer token kept in dir/token (made at first start, mode 0600).
Result<QByteArray> ensureToken(const QString &dir);

// Writes a file readable only by its owner, atomically (temporary file, then rename).
Status writePrivateFile(const QString &path, const QByteArray &contents);

} // namespace cd::server
