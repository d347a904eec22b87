#include "engine/controllers/resourcequota/resourcequotacontroller.h"

#include "engine/api/registry.h"
#include "engine/client/resources.h"
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

#include <chrono>

namespace cd::controllers {
namespace {

namespace quota = api::quota;

std::string kindKey(const std::string &plural, const std::string &group) { return plural + "." + group; }

std::pair<std::string, std::string> splitKind(const std::string &kind)
{
    const size_t dot = kind.find('.');
    return {kind.substr(0, dot), kind.substr(dot + 1)};
}

bool sameCharge(const quota::Charge &a, const quota::Charge &b)
{
    auto sameScope = [](const std::optional<quota::PodScopeFacts> &x, const std::optional<quota::PodScopeFacts> &y) {
        if (x.has_value() != y.has_value())
            return false;
        return !x || (x->terminating == y->terminating && x->bestEffort == y->bestEffort &&
                      x->crossNamespaceAffinity == y->crossNamespaceAffinity && x->priorityClass == y->priorityClass);
    };
    return quota::equals(a.usage, b.usage) && quota::equals(a.afterEnd, b.afterEnd) && a.endsAt == b.endsAt &&
           sameScope(a.scope, b.scope);
}

// Zero for every resource the kinds charge, then each matching object's charge added.
quota::ResourceList zeroUsage(const std::vector<quota::ChargedKind> &kinds)
{
    quota::ResourceList used;
    for (const quota::ChargedKind &kind : kinds)
        for (const std::string &name : kind.resources)
            used[name] = Quantity();
    return used;
}

} // namespace

ResourceQuotaController::ResourceQuotaController(client::Client *client, client::SharedInformers *informers,
                                                 QObject *parent)
    : QObject(parent), m_client(client), m_informers(informers),
      m_quotas(informers->informer(*client::builtinResource("resourcequotas"))),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this),
      m_resync(this)
{
    m_quotas->addHandler([this](const client::InformerEvent &event) { onQuotaEvent(event); });
    // The kinds most quotas count are watched from the start; others once a quota names them.
    for (const char *plural : {"pods", "services", "persistentvolumeclaims"})
        watchKind(plural, "");
    connect(&m_resync, &QTimer::timeout, this, [this] {
        for (const auto &[ns, names] : m_quotasByNamespace)
            for (const std::string &name : names)
                m_queue.add(ns + "/" + name);
    });
    m_resync.start(30000);
}

client::Informer *ResourceQuotaController::watchKind(const std::string &plural, const std::string &group)
{
    const std::string kind = kindKey(plural, group);
    if (auto it = m_kinds.find(kind); it != m_kinds.end())
        return it->second;
    const client::Resource *resource = client::builtinResource(plural, group);
    if (!resource)
        return nullptr;
    client::Informer *informer = m_informers->informer(*resource);
    informer->addHandler([this, kind](const client::InformerEvent &event) { onObjectEvent(kind, event); });
    m_kinds.emplace(kind, informer);
    // An informer another controller started earlier will not replay what it already has.
    for (const auto &[ns, names] : m_quotasByNamespace)
        fill(kind, ns);
    return informer;
}

void ResourceQuotaController::fill(const std::string &kind, const std::string &ns)
{
    const auto [plural, group] = splitKind(kind);
    Charges &charges = m_charges[ns][kind];
    m_kinds.at(kind)->forEachRaw(ns, [&](const client::RawObject &raw) {
        const Json object = Json::parse(*raw, nullptr, false);
        if (!object.is_discarded())
            charges[str(object, {"metadata", "name"})] = quota::chargeOf(plural, group, object);
    });
}

void ResourceQuotaController::onQuotaEvent(const client::InformerEvent &event)
{
    const Json &q = *event.object;
    const std::string ns = str(q, {"metadata", "namespace"});
    const std::string name = str(q, {"metadata", "name"});
    if (event.deleted()) {
        auto it = m_quotasByNamespace.find(ns);
        if (it != m_quotasByNamespace.end()) {
            it->second.erase(name);
            if (it->second.empty()) {
                m_quotasByNamespace.erase(it);
                m_charges.erase(ns);
            }
        }
        return;
    }
    if (!m_quotasByNamespace.count(ns)) {
        m_quotasByNamespace[ns];
        for (const auto &[kind, informer] : m_kinds)
            fill(kind, ns);
    }
    m_quotasByNamespace[ns].insert(name);
    const auto hard = quota::names(quota::parseList(find(q, {"spec", "hard"})));
    for (const quota::ChargedKind &kind : quota::chargedKinds(hard, api::Registry::builtin()))
        watchKind(kind.plural, kind.group);
    m_queue.add(ns + "/" + name);
}

void ResourceQuotaController::onObjectEvent(const std::string &kind, const client::InformerEvent &event)
{
    const Json &object = *event.object;
    const std::string ns = str(object, {"metadata", "namespace"});
    auto tracked = m_charges.find(ns);
    if (tracked == m_charges.end())
        return;  // no quota here: nothing to count
    Charges &charges = tracked->second[kind];
    const std::string name = str(object, {"metadata", "name"});
    if (event.deleted()) {
        if (charges.erase(name))
            enqueueNamespace(ns);
        return;
    }
    const auto [plural, group] = splitKind(kind);
    quota::Charge charge = quota::chargeOf(plural, group, object);
    auto it = charges.find(name);
    if (it != charges.end() && sameCharge(it->second, charge))
        return;  // a change no quota counts (a pod turning Ready, say)
    charges[name] = std::move(charge);
    enqueueNamespace(ns);
}

void ResourceQuotaController::enqueueNamespace(const std::string &ns)
{
    if (auto it = m_quotasByNamespace.find(ns); it != m_quotasByNamespace.end())
        for (const std::string &name : it->second)
            m_queue.add(ns + "/" + name);
}

bool ResourceQuotaController::synced() const
{
    if (!m_quotas->hasSynced())
        return false;
    for (const auto &[kind, informer] : m_kinds)
        if (!informer->hasSynced())
            return false;
    return true;
}

void ResourceQuotaController::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (!synced()) {
        m_queue.addAfter(key, 200);
        done(false);
        return;
    }
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash);
    const client::ObjectPtr resourceQuota = m_quotas->get(ns, key.substr(slash + 1));
    if (!resourceQuota) {
        done(false);
        return;
    }
    const Json &q = *resourceQuota;
    const quota::ResourceList hard = quota::parseList(find(q, {"spec", "hard"}));
    const std::set<std::string> hardNames = quota::names(hard);
    const auto kinds = quota::chargedKinds(hardNames, api::Registry::builtin());
    const auto scopes = quota::scopesOf(q);
    const TimePoint now = Clock::current().now();

    quota::ResourceList counted = zeroUsage(kinds);
    std::optional<TimePoint> nextChange;
    const auto &byKind = m_charges[ns];
    for (const quota::ChargedKind &kind : kinds) {
        auto charges = byKind.find(kindKey(kind.plural, kind.group));
        if (charges == byKind.end())
            continue;
        for (const auto &[name, charge] : charges->second) {
            if (!quota::matchesScopes(scopes, charge.scope ? &*charge.scope : nullptr))
                continue;
            counted = quota::add(counted, quota::mask(charge.at(now), kind.resources));
            if (charge.endsAt && *charge.endsAt >= now && (!nextChange || *charge.endsAt < *nextChange))
                nextChange = charge.endsAt;
        }
    }
    // A pod stuck terminating stops being charged when its grace period ends: look again then.
    if (nextChange)
        m_queue.addAfter(key, int(std::chrono::duration_cast<std::chrono::milliseconds>(*nextChange - now).count()) + 100);

    // What was observed replaces the old figures; resources nobody counts keep theirs.
    const quota::ResourceList before = quota::parseList(find(q, {"status", "used"}));
    quota::ResourceList used = before;
    for (const auto &[name, value] : counted)
        used[name] = value;
    used = quota::mask(used, hardNames);

    const bool statusKnown = find(q, {"status", "hard"}) && find(q, {"status", "used"});
    const bool dirty = !statusKnown || !quota::equals(hard, quota::parseList(find(q, {"status", "hard"}))) ||
                       !quota::equals(used, before);
    if (!dirty) {
        done(false);
        return;
    }
    std::set<std::string> lowered;
    for (const auto &[name, value] : used)
        if (auto it = before.find(name); it != before.end() && value < it->second)
            lowered.insert(name);
    if (lowered.empty())
        writeStatus(q, used, std::move(done));
    else
        verifyThenWrite(q, std::move(used), std::move(lowered), std::move(done));
}

void ResourceQuotaController::verifyThenWrite(const Json &resourceQuota, quota::ResourceList used,
                                              std::set<std::string> lowered, std::function<void(bool)> done)
{
    // The list is answered after every charge the quota's cached version includes (admission
    // stores the object in the same request that charges it), and the write below fails if a
    // charge came since: what it writes is never below the truth.
    const std::string ns = str(resourceQuota, {"metadata", "namespace"});
    const auto hard = quota::names(quota::parseList(find(resourceQuota, {"spec", "hard"})));
    const auto scopes = quota::scopesOf(resourceQuota);
    struct Recount {
        quota::ResourceList truth;
    };
    auto recount = std::make_shared<Recount>();
    QPointer<ResourceQuotaController> self(this);
    const Json q = resourceQuota;
    RequestGroup lists(
        [self, recount, q, used, lowered, done](bool failed) mutable {
            if (!self)
                return;
            if (failed) {
                done(true);
                return;
            }
            for (const std::string &name : lowered)
                if (auto it = recount->truth.find(name); it != recount->truth.end())
                    used[name] = it->second;
            const bool dirty = !quota::equals(used, quota::parseList(find(q, {"status", "used"}))) ||
                               !quota::equals(quota::parseList(find(q, {"spec", "hard"})),
                                              quota::parseList(find(q, {"status", "hard"}))) ||
                               !find(q, {"status", "hard"});
            if (!dirty) {
                done(false);
                return;
            }
            self->writeStatus(q, used, done);
        },
        {});
    for (const quota::ChargedKind &kind : quota::chargedKinds(hard, api::Registry::builtin())) {
        bool needed = false;
        for (const std::string &name : kind.resources)
            needed = needed || lowered.count(name);
        const client::Resource *resource = client::builtinResource(kind.plural, kind.group);
        if (!needed || !resource)
            continue;
        for (const std::string &name : kind.resources)
            recount->truth[name] = Quantity();
        client::Request request;
        request.path = resource->path(ns);
        request.rawItems = true;
        auto answered = lists.add();
        m_client->send(std::move(request), [recount, kind, scopes, answered](const client::Response &response) {
            const TimePoint now = Clock::current().now();
            for (const client::RawObject &raw : response.items) {
                const Json object = raw ? Json::parse(*raw, nullptr, false) : Json();
                if (object.is_discarded() || object.is_null())
                    continue;
                const quota::Charge charge = quota::chargeOf(kind.plural, kind.group, object);
                if (quota::matchesScopes(scopes, charge.scope ? &*charge.scope : nullptr))
                    recount->truth = quota::add(recount->truth, quota::mask(charge.at(now), kind.resources));
            }
            answered(response);
        });
    }
    lists.seal();
}

void ResourceQuotaController::writeStatus(const Json &resourceQuota, const quota::ResourceList &used,
                                          std::function<void(bool)> done)
{
    Json updated = resourceQuota;
    const Json *hard = find(resourceQuota, {"spec", "hard"});
    updated["status"] = {{"hard", hard ? *hard : Json::object()}, {"used", quota::toJson(used)}};
    m_client->update(*client::builtinResource("resourcequotas"), updated,
                     [done](const client::Response &response) { done(!response.ok() && response.status != 404); },
                     "status");
}

void startResourceQuotaController(ControllerContext &context)
{
    new ResourceQuotaController(context.client, context.informers, context.parent);
}

} // namespace cd::controllers
