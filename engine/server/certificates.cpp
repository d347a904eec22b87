#include "engine/server/certificates.h"

#include "engine/core/names.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace cd::server {
namespace {

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Error sslError(const char *what) { return Error::internal(std::string("tls: cannot ") + what); }

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(size));
}

QByteArray keyPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return bioBytes(bio.get());
}

QByteArray certPem(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    return bioBytes(bio.get());
}

KeyPtr readKey(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

CertPtr readCert(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const std::string &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

Result<CertPtr> makeCertificate(EVP_PKEY *key, const char *commonName, X509 *issuer, EVP_PKEY *issuerKey, bool isCa,
                                const std::string &subjectAltNames, long days)
{
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("Clusterdeck"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509 *issuerCert = issuer ? issuer : cert.get();
    bool ok = addExtension(cert.get(), issuerCert, NID_basic_constraints, isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
    ok = ok && addExtension(cert.get(), issuerCert, NID_subject_key_identifier, "hash");
    if (isCa) {
        ok = ok && addExtension(cert.get(), issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    } else {
        ok = ok && addExtension(cert.get(), issuerCert, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        ok = ok && addExtension(cert.get(), issuerCert, NID_ext_key_usage, "serverAuth");
        ok = ok && addExtension(cert.get(), issuerCert, NID_authority_key_identifier, "keyid:always");
        ok = ok && addExtension(cert.get(), issuerCert, NID_subject_alt_name, subjectAltNames);
    }
    if (!ok)
        return sslError("add certificate extensions");
    if (X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()) == 0)
        return sslError("sign a certificate");
    return cert;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

Status writePrivateFile(const QString &path, const QByteArray &contents)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::internal("cannot write " + path.toStdString() + ": " + file.errorString().toStdString());
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(contents);
    if (!file.commit())
        return Error::internal("cannot write " + path.toStdString() + ": " + file.errorString().toStdString());
    return {};
}

Result<TlsMaterial> ensureCertificates(const QString &dir, const QStringList &extraHosts)
{
    QDir().mkpath(dir);
    const QString caCertPath = dir + "/ca.crt", caKeyPath = dir + "/ca.key";
    const QString certPath = dir + "/server.crt", keyPath = dir + "/server.key";

    KeyPtr caKey = readKey(readFile(caKeyPath));
    CertPtr caCert = readCert(readFile(caCertPath));
    if (!caKey || !caCert) {
        caKey.reset(EVP_EC_gen("P-256"));
        if (!caKey)
            return sslError("generate a key");
        CD_TRY(caCert, makeCertificate(caKey.get(), "clusterdeck-ca", nullptr, nullptr, true, "", 3650));
        CD_CHECK(writePrivateFile(caKeyPath, keyPem(caKey.get())));
        CD_CHECK(writePrivateFile(caCertPath, certPem(caCert.get())));
        QFile::remove(certPath);  // a new CA invalidates the old server certificate
    }

    std::string altNames = "IP:127.0.0.1,IP:::1,DNS:localhost";
    for (const QString &host : extraHosts) {
        if (host.isEmpty() || host == "127.0.0.1" || host == "localhost" || host == "::1")
            continue;
        altNames += QHostAddress(host).isNull() ? ",DNS:" + host.toStdString() : ",IP:" + host.toStdString();
    }
    KeyPtr key = readKey(readFile(keyPath));
    CertPtr cert = readCert(readFile(certPath));
    // Reissue when the names changed (a different --listen address) or the files are missing.
    const QByteArray namesPath = (dir + "/server.names").toUtf8();
    if (!key || !cert || readFile(QString::fromUtf8(namesPath)).toStdString() != altNames) {
        key.reset(EVP_EC_gen("P-256"));
        if (!key)
            return sslError("generate a key");
        CD_TRY(cert, makeCertificate(key.get(), "clusterdeck-apiserver", caCert.get(), caKey.get(), false, altNames, 3650));
        CD_CHECK(writePrivateFile(keyPath, keyPem(key.get())));
        CD_CHECK(writePrivateFile(certPath, certPem(cert.get())));
        CD_CHECK(writePrivateFile(QString::fromUtf8(namesPath), QByteArray::fromStdString(altNames)));
    }
    return TlsMaterial{certPem(caCert.get()), certPem(cert.get()), keyPem(key.get())};
}

Result<QByteArray> ensureToken(const QString &dir)
{
    const QString path = dir + "/token";
    QByteArray token = readFile(path).trimmed();
    if (token.size() >= 32)
        return token;
    token = QByteArray::fromStdString(names::randomHex(32));
    CD_CHECK(writePrivateFile(path, token + "\n"));
    return token;
}

} // namespace cd::server
