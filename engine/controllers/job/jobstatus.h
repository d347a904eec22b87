#pragma once
// Reading and writing a Job's spec and status as the batch/v1 JSON has them: conditions, the
// counters Go omits when zero, and the pointers it always writes (ready, terminating).

#include "engine/core/json.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cd::controllers::job {

struct JobCondition {
    std::string type, reason, message;
};

// Reasons and messages of the v1.32 job controller.
inline constexpr const char *kReasonBackoffLimitExceeded = "BackoffLimitExceeded";
inline constexpr const char *kMessageBackoffLimitExceeded = "Job has reached the specified backoff limit";
inline constexpr const char *kReasonDeadlineExceeded = "DeadlineExceeded";
inline constexpr const char *kMessageDeadlineExceeded = "Job was active longer than specified deadline";
inline constexpr const char *kReasonCompletionsReached = "CompletionsReached";
inline constexpr const char *kMessageCompletionsReached = "Reached expected number of succeeded pods";
inline constexpr const char *kReasonSuccessPolicy = "SuccessPolicy";

const Json *findCondition(const Json &job, const std::string &type);
bool conditionTrue(const Json &job, const std::string &type);
// A Job with a true Complete or Failed condition is done for good.
bool jobFinished(const Json &job);

// ensureJobConditionStatus: updates the condition of that type when its status, reason or
// message differ, or appends it (never a new False one). Returns whether anything changed.
bool ensureCondition(Json &job, const std::string &type, const std::string &status, const std::string &reason,
                     const std::string &message, const std::string &now);
void appendCondition(Json &job, const JobCondition &condition, const std::string &now);

// A counter Go writes with omitempty: absent when zero.
void setCounter(Json &status, const char *field, long long value);

std::set<std::string> uncountedUids(const Json &job, const char *which);  // "succeeded" or "failed"
std::vector<std::string> uncountedList(const Json &job, const char *which);
void setUncounted(Json &job, const std::vector<std::string> &succeeded, const std::vector<std::string> &failed);

// Removes from status.uncountedTerminatedPods the pods whose finalizer is gone and counts them
// in succeeded/failed. Returns whether the status changed.
bool countUncountedWithoutFinalizers(Json &job, const std::set<std::string> &uidsWithFinalizer);

std::optional<long long> optionalInteger(const Json &object, std::initializer_list<std::string_view> path);

} // namespace cd::controllers::job
