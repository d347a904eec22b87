#include "engine/api/admission/resourcequota.h"

#include "engine/api/context.h"
#include "engine/api/manifestcheck.h"
#include "engine/api/status.h"

#include <algorithm>

namespace cd::api {
namespace {

const ResourceType *typeFor(const Registry &registry, const std::string &plural, const std::string &group)
{
    for (const auto &type : registry.all())
        if (type->plural == plural && type->group == group)
            return type.get();
    return nullptr;
}

bool isCoreKind(const ResourceType &type, const char *kind) { return type.group.empty() && type.kind == kind; }

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (const std::string &n : names)
        out += (out.empty() ? "" : ",") + n;
    return out;
}

} // namespace

Status ResourceQuotaAdmission::admit(AdmissionRequest &request)
{
    if (!request.object || (request.operation != Operation::Create && request.operation != Operation::Update))
        return {};
    const ResourceType &type = *request.type;
    if (!type.namespaced || request.namespaceName.empty())
        return {};
    if (isCoreKind(type, "ResourceQuota") && request.subresource.empty())
        fillQuotaStatus(request);
    // Subresources (status, binding, scale, ...) change nothing a quota counts.
    if (!request.subresource.empty())
        return {};
    return charge(request);
}

quota::ResourceList ResourceQuotaAdmission::measure(const std::string &ns, const Json &resourceQuota,
                                                    const Json *creating) const
{
    const std::set<std::string> hard = quota::names(quota::parseList(find(resourceQuota, {"spec", "hard"})));
    const auto scopes = quota::scopesOf(resourceQuota);
    const TimePoint now = Clock::current().now();
    quota::ResourceList used;
    for (const quota::ChargedKind &kind : quota::chargedKinds(hard, m_context.registry())) {
        for (const std::string &name : kind.resources)
            used[name] = Quantity();
        const ResourceType *type = typeFor(m_context.registry(), kind.plural, kind.group);
        if (!type)
            continue;
        const bool podKind = kind.group.empty() && kind.plural == "pods";
        if (!podKind && !scopes.empty())
            continue;  // only pods fall under scoped quotas
        m_context.store().forEach(m_context.listPrefix(*type, ns), [&](const store::RecordView &record) {
            const Json object = parseStored(record.value());
            const quota::Charge charge = quota::chargeOf(kind.plural, kind.group, object);
            if (quota::matchesScopes(scopes, charge.scope ? &*charge.scope : nullptr))
                used = quota::add(used, quota::mask(charge.at(now), kind.resources));
        });
        if (creating && type->kind == "ResourceQuota" && type->group.empty())
            used = quota::add(used, quota::mask(quota::chargeOf(kind.plural, kind.group, *creating).at(now),
                                                kind.resources));
    }
    return used;
}

void ResourceQuotaAdmission::fillQuotaStatus(AdmissionRequest &request) const
{
    Json &object = *request.object;
    const quota::ResourceList hard = quota::parseList(find(object, {"spec", "hard"}));
    if (request.operation == Operation::Update) {
        const bool known = find(object, {"status", "hard"}) && find(object, {"status", "used"});
        if (known && quota::equals(hard, quota::parseList(find(object, {"status", "hard"}))))
            return;
    }
    Json &status = ensureObject(object, {"status"});
    status["hard"] = find(object, {"spec", "hard"}) ? object["spec"]["hard"] : Json::object();
    const bool creating = request.operation == Operation::Create;
    status["used"] = quota::toJson(measure(request.namespaceName, object, creating ? &object : nullptr));
}

bool ResourceQuotaAdmission::passesValidation(const AdmissionRequest &request) const
{
    FieldErrors errors;
    if (request.operation == Operation::Update && request.old)
        validateUpdate(*request.type, *request.object, *request.old, errors);
    else
        validateCreate(*request.type, *request.object, errors);
    return errors.empty();
}

Status ResourceQuotaAdmission::charge(AdmissionRequest &request)
{
    const ResourceType &type = *request.type;
    const std::string &plural = type.plural;
    const std::string &group = type.group;
    const ResourceType *quotaType = m_context.registry().find("", "v1", "resourcequotas");
    if (m_context.store().count(m_context.listPrefix(*quotaType, request.namespaceName)) == 0)
        return {};  // the common case, kept cheap: no quota in this namespace
    if (request.operation == Operation::Create ? !quota::chargesOnCreate(plural, group)
                                               : !request.old ||
                                                     !quota::chargesOnUpdate(plural, group, *request.object,
                                                                             *request.old))
        return {};
    std::vector<StoredObject> quotas = m_context.loadAll(*quotaType, request.namespaceName);
    // Kubernetes validates before quota admission: what validation refuses is not measured.
    if (!passesValidation(request))
        return {};
    // A create whose name is taken is measured (and refused when over quota, as Kubernetes
    // does), but not charged: the store will refuse it.
    const bool nameTaken = request.operation == Operation::Create &&
                           m_context.store().get(type.key(request.namespaceName, request.name));

    const Json &object = *request.object;
    const TimePoint now = Clock::current().now();
    const quota::Charge newCharge = quota::chargeOf(plural, group, object);
    const quota::PodScopeFacts *podFacts = newCharge.scope ? &*newCharge.scope : nullptr;

    // The quotas that cover this object, each checked for what it requires of a pod and for
    // usage figures to compare against.
    std::vector<size_t> covering;
    for (size_t i = 0; i < quotas.size(); ++i) {
        const Json &q = quotas[i].object;
        const quota::ResourceList hard = quota::parseList(find(q, {"status", "hard"}));
        const std::set<std::string> matched = quota::matchingResources(plural, group, quota::names(hard));
        if (matched.empty() || !quota::matchesScopes(quota::scopesOf(q), podFacts))
            continue;
        const std::string quotaName = quotas[i].name();
        if (podFacts) {
            const std::string violation = quota::podConstraintViolation(matched, object);
            if (!violation.empty())
                return forbidden(type, request.name, "failed quota: " + quotaName + ": " + violation);
        }
        const quota::ResourceList used = quota::parseList(find(q, {"status", "used"}));
        for (const std::string &name : matched)
            if (!used.count(name)) {
                std::vector<std::string> sorted(matched.begin(), matched.end());
                return forbidden(type, request.name,
                                 "status unknown for quota: " + quotaName + ", resources: " + joined(sorted));
            }
        covering.push_back(i);
    }

    quota::ResourceList delta = newCharge.at(now);
    if (const auto below = quota::negative(delta); !below.empty())
        return forbidden(type, request.name, "quota usage is negative for resource(s): " + joined(below));
    if (request.operation == Operation::Update)
        delta = quota::subtractNonNegative(delta, quota::usageOf(plural, group, *request.old, now));
    if (quota::isZero(delta) || covering.empty())
        return {};

    // Every covering quota must take the request before any is charged.
    std::vector<std::pair<size_t, quota::ResourceList>> charged;
    for (size_t i : covering) {
        const Json &q = quotas[i].object;
        const quota::ResourceList hard = quota::parseList(find(q, {"status", "hard"}));
        const quota::ResourceList used = quota::parseList(find(q, {"status", "used"}));
        const quota::ResourceList requested = quota::mask(delta, quota::names(hard));
        const quota::ResourceList newUsage = quota::add(used, requested);
        const auto over = quota::exceeding(quota::mask(newUsage, quota::names(requested)), hard);
        if (!over.empty()) {
            const std::set<std::string> exceeded(over.begin(), over.end());
            return forbidden(type, request.name,
                             "exceeded quota: " + quotas[i].name() +
                                 ", requested: " + quota::prettyPrint(quota::mask(requested, exceeded)) +
                                 ", used: " + quota::prettyPrint(quota::mask(used, exceeded)) +
                                 ", limited: " + quota::prettyPrint(quota::mask(hard, exceeded)));
        }
        if (!quota::equals(newUsage, used))
            charged.emplace_back(i, newUsage);
    }
    if (request.dryRun || nameTaken)
        return {};
    for (const auto &[i, newUsage] : charged) {
        Json updated = quotas[i].object;
        updated["status"]["used"] = quota::toJson(newUsage);
        auto written = m_context.write(*quotaType, updated, &quotas[i], false);
        if (!written.ok())
            return written.takeError();
    }
    return {};
}

} // namespace cd::api
