#include "engine/controllers/serviceaccount/tokenscontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/requestgroup.h"
#include "engine/core/names.h"

#include <QByteArray>
#include <QPointer>
#include <QRandomGenerator>

namespace cd::controllers::serviceaccount {
namespace {

constexpr const char *kTokenType = "kubernetes.io/service-account-token";
constexpr const char *kAccountNameKey = "kubernetes.io/service-account.name";
constexpr const char *kAccountUidKey = "kubernetes.io/service-account.uid";

const client::Resource &accountsResource() { return *client::builtinResource("serviceaccounts"); }
const client::Resource &secretsResource() { return *client::builtinResource("secrets"); }

std::string keyOf(const std::string &ns, const std::string &name) { return ns + "/" + name; }

std::pair<std::string, std::string> split(const std::string &key)
{
    const size_t slash = key.find('/');
    return {key.substr(0, slash), key.substr(slash + 1)};
}

std::string base64(const std::string &text)
{
    return QByteArray::fromStdString(text).toBase64().toStdString();
}

// An opaque bearer token: 48 random bytes, base64url without padding.
std::string randomToken()
{
    QByteArray bytes(48, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString();
}

std::vector<std::string> referencedSecrets(const Json &account)
{
    std::vector<std::string> out;
    if (const Json *secrets = find(account, {"secrets"}); secrets && secrets->is_array())
        for (const Json &ref : *secrets)
            out.push_back(str(ref, {"name"}));
    return out;
}

bool namespaceActive(const client::Informer *namespaces, const std::string &ns)
{
    client::ObjectPtr object = namespaces->get({}, ns);
    if (!object)
        return true;  // not seen yet: the API refuses writes into a missing namespace anyway
    const std::string phase = str(*object, {"status", "phase"});
    return !find(*object, {"metadata", "deletionTimestamp"}) && (phase.empty() || phase == "Active");
}

} // namespace

TokensController::TokensController(client::Client *client, client::SharedInformers *informers, std::string rootCaPem,
                                   QObject *parent)
    : QObject(parent), m_client(client), m_namespaces(informers->informer(*client::builtinResource("namespaces"))),
      m_accounts(informers->informer(accountsResource())), m_secrets(informers->informer(secretsResource())),
      m_accountQueue([this](const std::string &key, std::function<void(bool)> done) { syncAccount(key, std::move(done)); },
                     this),
      m_secretQueue([this](const std::string &key, std::function<void(bool)> done) { syncSecret(key, std::move(done)); },
                    this),
      m_rootCa(std::move(rootCaPem))
{
    m_accountQueue.baseDelayMs = 100;
    m_secretQueue.baseDelayMs = 100;
    m_accounts->addHandler([this](const client::InformerEvent &event) { onAccount(event); });
    m_secrets->addHandler([this](const client::InformerEvent &event) { onSecret(event); });
}

void TokensController::onAccount(const client::InformerEvent &event)
{
    const Json &account = *event.object;
    const std::string key = keyOf(str(account, {"metadata", "namespace"}), str(account, {"metadata", "name"}));
    const std::string uid = str(account, {"metadata", "uid"});
    if (event.deleted()) {
        m_deletedAccounts[key] = uid;
        m_accountUids.erase(key);
    } else {
        m_accountUids[key] = uid;
    }
    m_accountQueue.add(key);
}

void TokensController::onSecret(const client::InformerEvent &event)
{
    const Json &secret = *event.object;
    if (str(secret, {"type"}) != kTokenType)
        return;
    const std::string ns = str(secret, {"metadata", "namespace"});
    const std::string name = str(secret, {"metadata", "name"});
    const std::string accountKey = keyOf(ns, str(secret, {"metadata", "annotations", kAccountNameKey}));
    m_createdTokens.erase(keyOf(ns, name));
    if (event.deleted()) {
        if (auto it = m_tokensByAccount.find(accountKey); it != m_tokensByAccount.end()) {
            it->second.erase(name);
            if (it->second.empty())
                m_tokensByAccount.erase(it);
        }
        // The account loses its reference, and gets a new token.
        m_deletedTokens[accountKey].insert(name);
        m_accountQueue.add(accountKey);
        return;
    }
    m_tokensByAccount[accountKey].insert(name);
    m_secretQueue.add(keyOf(ns, name));
}

bool TokensController::isTokenFor(const std::string &ns, const std::string &secretName, const Json &account) const
{
    const std::string uid = str(account, {"metadata", "uid"});
    if (client::ObjectPtr secret = m_secrets->get(ns, secretName)) {
        const std::string tokenUid = str(*secret, {"metadata", "annotations", kAccountUidKey});
        return str(*secret, {"type"}) == kTokenType &&
               str(*secret, {"metadata", "annotations", kAccountNameKey}) == str(account, {"metadata", "name"}) &&
               (tokenUid.empty() || tokenUid == uid);
    }
    auto created = m_createdTokens.find(keyOf(ns, secretName));
    return created != m_createdTokens.end() && created->second == uid;
}

Json TokensController::tokenData(const std::string &ns) const
{
    Json data = {{"token", base64(randomToken())}, {"namespace", base64(ns)}};
    if (!m_rootCa.empty())
        data["ca.crt"] = base64(m_rootCa);
    return data;
}

void TokensController::syncAccount(const std::string &key, std::function<void(bool)> done)
{
    if (!m_accounts->hasSynced() || !m_secrets->hasSynced() || !m_namespaces->hasSynced()) {
        m_accountQueue.addAfter(key, 200);
        done(false);
        return;
    }
    const auto [ns, name] = split(key);
    client::ObjectPtr account = m_accounts->get(ns, name);
    std::set<std::string> gone;
    if (auto it = m_deletedTokens.find(key); it != m_deletedTokens.end()) {
        gone = std::move(it->second);
        m_deletedTokens.erase(it);
    }
    if (!account) {
        std::string uid;
        if (auto it = m_deletedAccounts.find(key); it != m_deletedAccounts.end()) {
            uid = it->second;
            m_deletedAccounts.erase(it);
        }
        deleteTokens(key, uid, std::move(done));
        return;
    }
    m_deletedAccounts.erase(key);
    if (!namespaceActive(m_namespaces, ns)) {
        done(false);
        return;
    }
    std::vector<std::string> drop;
    bool hasToken = false;
    for (const std::string &secretName : referencedSecrets(*account)) {
        if (gone.count(secretName) && !m_secrets->get(ns, secretName))
            drop.push_back(secretName);
        else
            hasToken = hasToken || isTokenFor(ns, secretName, *account);
    }
    if (hasToken && drop.empty()) {
        done(false);
        return;
    }
    if (hasToken) {
        // Only a reference to a deleted token to remove.
        Json updated = *account;
        Json kept = Json::array();
        for (const Json &ref : updated["secrets"])
            if (std::find(drop.begin(), drop.end(), str(ref, {"name"})) == drop.end())
                kept.push_back(ref);
        updated["secrets"] = kept;
        m_client->update(accountsResource(), updated,
                         [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
        return;
    }
    createToken(*account, drop, std::move(done));
}

void TokensController::createToken(const Json &account, const std::vector<std::string> &dropReferences,
                                   std::function<void(bool)> done)
{
    const std::string ns = str(account, {"metadata", "namespace"});
    const std::string accountName = str(account, {"metadata", "name"});
    const std::string uid = str(account, {"metadata", "uid"});
    const std::string secretName = accountName + "-token-" + names::randomSuffix(5);
    const Json secret = {{"apiVersion", "v1"},
                         {"kind", "Secret"},
                         {"metadata",
                          {{"name", secretName},
                           {"namespace", ns},
                           {"annotations", {{kAccountNameKey, accountName}, {kAccountUidKey, uid}}}}},
                         {"type", kTokenType},
                         {"data", tokenData(ns)}};
    QPointer<TokensController> self(this);
    m_client->create(secretsResource(), ns, secret, [self, account, dropReferences, ns, secretName, uid, done](const client::Response &r) {
        if (!self)
            return;
        if (!r.ok()) {
            const bool terminating = r.status == 403 && r.body.find("NamespaceTerminating") != std::string::npos;
            done(!terminating && r.status != 404);
            return;
        }
        const std::string secretUid = str(r.json(), {"metadata", "uid"});
        if (!self->m_secrets->get(ns, secretName))
            self->m_createdTokens[keyOf(ns, secretName)] = uid;
        // Reference it from the account, as its cache has it: a newer account means another
        // sync comes, and this token goes again.
        Json updated = account;
        Json refs = Json::array();
        if (const Json *secrets = find(account, {"secrets"}); secrets && secrets->is_array())
            for (const Json &ref : *secrets)
                if (std::find(dropReferences.begin(), dropReferences.end(), str(ref, {"name"})) == dropReferences.end())
                    refs.push_back(ref);
        refs.push_back({{"name", secretName}});
        updated["secrets"] = std::move(refs);
        self->m_client->update(accountsResource(), updated, [self, ns, secretName, secretUid, done](const client::Response &u) {
            if (!self)
                return;
            if (u.ok()) {
                done(false);
                return;
            }
            // The token could not be referenced: it goes, and the account is looked at again.
            self->m_createdTokens.erase(keyOf(ns, secretName));
            const Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"preconditions", {{"uid", secretUid}}}};
            self->m_client->remove(secretsResource(), ns, secretName, {}, options);
            done(u.status != 404);
        });
    });
}

void TokensController::deleteTokens(const std::string &key, const std::string &uid, std::function<void(bool)> done)
{
    auto tokens = m_tokensByAccount.find(key);
    if (tokens == m_tokensByAccount.end()) {
        done(false);
        return;
    }
    const auto [ns, name] = split(key);
    RequestGroup group([done](bool failed) { done(failed); }, {404, 409});
    for (const std::string &secretName : tokens->second) {
        client::ObjectPtr secret = m_secrets->get(ns, secretName);
        if (!secret)
            continue;
        const std::string tokenUid = str(*secret, {"metadata", "annotations", kAccountUidKey});
        if (!uid.empty() && !tokenUid.empty() && tokenUid != uid)
            continue;  // the token of a newer account of that name
        const Json options = {{"kind", "DeleteOptions"},
                              {"apiVersion", "v1"},
                              {"preconditions", {{"uid", str(*secret, {"metadata", "uid"})}}}};
        m_client->remove(secretsResource(), ns, secretName, group.add(), options);
    }
    group.seal();
}

void TokensController::syncSecret(const std::string &key, std::function<void(bool)> done)
{
    if (!m_accounts->hasSynced() || !m_secrets->hasSynced()) {
        m_secretQueue.addAfter(key, 200);
        done(false);
        return;
    }
    const auto [ns, name] = split(key);
    client::ObjectPtr secret = m_secrets->get(ns, name);
    if (!secret || str(*secret, {"type"}) != kTokenType || find(*secret, {"metadata", "deletionTimestamp"})) {
        done(false);
        return;
    }
    const std::string accountName = str(*secret, {"metadata", "annotations", kAccountNameKey});
    const std::string accountUid = str(*secret, {"metadata", "annotations", kAccountUidKey});
    client::ObjectPtr account = m_accounts->get(ns, accountName);
    QPointer<TokensController> self(this);
    const Json object = *secret;
    auto deleteSecret = [self, object, done] {
        if (!self)
            return;
        const Json options = {{"kind", "DeleteOptions"},
                              {"apiVersion", "v1"},
                              {"preconditions", {{"uid", str(object, {"metadata", "uid"})}}}};
        self->m_client->remove(secretsResource(), str(object, {"metadata", "namespace"}),
                               str(object, {"metadata", "name"}),
                               [done](const client::Response &r) { done(!r.ok() && r.status != 404 && r.status != 409); },
                               options);
    };
    if (!account || (!accountUid.empty() && str(*account, {"metadata", "uid"}) != accountUid)) {
        // The cache may be behind: ask before deleting the token of an account it misses.
        m_client->get(accountsResource(), ns, accountName, [accountUid, deleteSecret, done](const client::Response &r) {
            if (r.status == 404 || (r.ok() && !accountUid.empty() && str(r.json(), {"metadata", "uid"}) != accountUid))
                deleteSecret();
            else
                done(!r.ok());
        });
        return;
    }
    // A token Secret made by hand gets its data (and the account's uid) filled in.
    const Json *data = find(*secret, {"data"});
    auto missing = [&](const char *field) { return !data || !data->is_object() || str(*data, {field}).empty(); };
    const bool needsCa = !m_rootCa.empty() && missing("ca.crt");
    if (!missing("token") && !missing("namespace") && !needsCa && !accountUid.empty()) {
        done(false);
        return;
    }
    Json updated = *secret;
    const Json fresh = tokenData(ns);
    Json &target = updated["data"];
    if (!target.is_object())
        target = Json::object();
    for (const auto &[field, value] : fresh.items())
        if (str(target, {field}).empty())
            target[field] = value;
    updated["metadata"]["annotations"][kAccountUidKey] = str(*account, {"metadata", "uid"});
    m_client->update(secretsResource(), updated,
                     [done](const client::Response &r) { done(!r.ok() && r.status != 404 && r.status != 409); });
}

} // namespace cd::controllers::serviceaccount
