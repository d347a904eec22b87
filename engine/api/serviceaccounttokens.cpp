#include "engine/api/serviceaccounttokens.h"

#include "engine/core/json.h"
#include "engine/store/store.h"

#include <QByteArray>

namespace cd::api {
namespace {

constexpr qint64 kRereadAfterMs = 1000;   // an unknown token makes a new read at most this often
constexpr qint64 kTrustedForMs = 10000;   // a known token is looked for again after this long
constexpr const char *kTokenType = "kubernetes.io/service-account-token";

} // namespace

ServiceAccountTokens::ServiceAccountTokens(const store::Store &store) : m_store(store) {}

bool ServiceAccountTokens::valid(const std::string &token)
{
    if (token.empty())
        return false;
    const bool found = m_tokens.count(token) > 0;
    if (m_readAgo.isValid() && (found ? m_readAgo.elapsed() < kTrustedForMs : m_readAgo.elapsed() < kRereadAfterMs))
        return found;
    reread();
    return m_tokens.count(token) > 0;
}

void ServiceAccountTokens::reread()
{
    m_tokens.clear();
    m_store.forEach("/registry/core/secrets/", [this](const store::RecordView &record) {
        const std::string &text = *record.value();
        if (text.find(kTokenType) == std::string::npos)
            return;  // most Secrets are not tokens: not parsed
        const Json secret = Json::parse(text, nullptr, false);
        if (str(secret, {"type"}) != kTokenType)
            return;
        const std::string encoded = str(secret, {"data", "token"});
        const QByteArray decoded = QByteArray::fromBase64(QByteArray::fromStdString(encoded));
        if (!decoded.isEmpty())
            m_tokens.insert(decoded.toStdString());
    });
    m_readAgo.start();
}

} // namespace cd::api
