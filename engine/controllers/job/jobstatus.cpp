#include "engine/controllers/job/jobstatus.h"

#include "engine/controllers/common/conditions.h"

namespace cd::controllers::job {

const Json *findCondition(const Json &job, const std::string &type)
{
    const Json *status = find(job, {"status"});
    return status ? statusCondition(*status, type) : nullptr;
}

bool conditionTrue(const Json &job, const std::string &type)
{
    const Json *c = findCondition(job, type);
    return c && str(*c, {"status"}) == "True";
}

bool jobFinished(const Json &job) { return conditionTrue(job, "Complete") || conditionTrue(job, "Failed"); }

namespace {

Json makeCondition(const std::string &type, const std::string &status, const std::string &reason,
                   const std::string &message, const std::string &now)
{
    Json c = {{"type", type}, {"status", status}, {"lastProbeTime", now}, {"lastTransitionTime", now}};
    if (!reason.empty())
        c["reason"] = reason;
    if (!message.empty())
        c["message"] = message;
    return c;
}

Json &conditionsOf(Json &job)
{
    Json &conditions = ensureObject(job, {"status"})["conditions"];
    if (!conditions.is_array())
        conditions = Json::array();
    return conditions;
}

} // namespace

bool ensureCondition(Json &job, const std::string &type, const std::string &status, const std::string &reason,
                     const std::string &message, const std::string &now)
{
    Json &conditions = conditionsOf(job);
    for (Json &c : conditions) {
        if (str(c, {"type"}) != type)
            continue;
        if (str(c, {"status"}) == status && str(c, {"reason"}) == reason && str(c, {"message"}) == message)
            return false;
        c = makeCondition(type, status, reason, message, now);
        return true;
    }
    if (status == "False") {
        // Going from nothing to False says nothing.
        if (conditions.empty())
            job["status"].erase("conditions");
        return false;
    }
    conditions.push_back(makeCondition(type, status, reason, message, now));
    return true;
}

void appendCondition(Json &job, const JobCondition &condition, const std::string &now)
{
    conditionsOf(job).push_back(makeCondition(condition.type, "True", condition.reason, condition.message, now));
}

void setCounter(Json &status, const char *field, long long value)
{
    if (value == 0)
        status.erase(field);
    else
        status[field] = value;
}

std::vector<std::string> uncountedList(const Json &job, const char *which)
{
    std::vector<std::string> out;
    if (const Json *list = find(job, {"status", "uncountedTerminatedPods", which}); list && list->is_array())
        for (const Json &uid : *list)
            if (uid.is_string())
                out.push_back(uid.get<std::string>());
    return out;
}

std::set<std::string> uncountedUids(const Json &job, const char *which)
{
    const auto list = uncountedList(job, which);
    return {list.begin(), list.end()};
}

void setUncounted(Json &job, const std::vector<std::string> &succeeded, const std::vector<std::string> &failed)
{
    Json uncounted = Json::object();
    if (!succeeded.empty())
        uncounted["succeeded"] = succeeded;
    if (!failed.empty())
        uncounted["failed"] = failed;
    ensureObject(job, {"status"})["uncountedTerminatedPods"] = std::move(uncounted);
}

bool countUncountedWithoutFinalizers(Json &job, const std::set<std::string> &uidsWithFinalizer)
{
    auto succeeded = uncountedList(job, "succeeded");
    auto failed = uncountedList(job, "failed");
    bool changed = false;
    Json &status = ensureObject(job, {"status"});
    auto keepTracked = [&](std::vector<std::string> &list, const char *counter) {
        std::vector<std::string> kept;
        for (const std::string &uid : list)
            if (uidsWithFinalizer.count(uid))
                kept.push_back(uid);
        if (kept.size() == list.size())
            return;
        changed = true;
        setCounter(status, counter, integer(status, {counter}) + static_cast<long long>(list.size() - kept.size()));
        list = std::move(kept);
    };
    keepTracked(succeeded, "succeeded");
    keepTracked(failed, "failed");
    setUncounted(job, succeeded, failed);
    return changed;
}

std::optional<long long> optionalInteger(const Json &object, std::initializer_list<std::string_view> path)
{
    const Json *value = find(object, path);
    if (!value || !value->is_number_integer())
        return std::nullopt;
    return value->get<long long>();
}

} // namespace cd::controllers::job
