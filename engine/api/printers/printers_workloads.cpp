// Workloads: Deployments, ReplicaSets and Jobs (printDeployment, printReplicaSet, printJob).

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

namespace cd::api::printing {
namespace {

const char *kContainersDescription = "Names of each container in the template.";
const char *kImagesDescription = "Images referenced by each container in the template.";
const char *kSelectorDescription = "Label query over the pods the controller manages.";

Json deploymentCells(const Json &deployment)
{
    return Json::array({str(deployment, {"metadata", "name"}),
                        std::to_string(integer(deployment, {"status", "readyReplicas"})) + "/" +
                            std::to_string(integer(deployment, {"spec", "replicas"})),
                        integer(deployment, {"status", "updatedReplicas"}),
                        integer(deployment, {"status", "availableReplicas"}),
                        age(deployment)});
}

Json replicaSetCells(const Json &replicaSet)
{
    return Json::array({str(replicaSet, {"metadata", "name"}),
                        integer(replicaSet, {"spec", "replicas"}),
                        integer(replicaSet, {"status", "replicas"}),
                        integer(replicaSet, {"status", "readyReplicas"}),
                        age(replicaSet)});
}

// Complete and Failed are final; a deleted Job shows Terminating before the transient states.
std::string jobStatus(const Json &job)
{
    if (conditionTrue(job, "Complete"))
        return "Complete";
    if (conditionTrue(job, "Failed"))
        return "Failed";
    if (has(job, {"metadata", "deletionTimestamp"}))
        return "Terminating";
    if (conditionTrue(job, "Suspended"))
        return "Suspended";
    if (conditionTrue(job, "FailureTarget"))
        return "FailureTarget";
    if (conditionTrue(job, "SuccessCriteriaMet"))
        return "SuccessCriteriaMet";
    return "Running";
}

// "2/3" with spec.completions; without it the Job needs one success, run by up to parallelism pods.
std::string jobCompletions(const Json &job)
{
    const std::string succeeded = std::to_string(integer(job, {"status", "succeeded"}));
    if (has(job, {"spec", "completions"}))
        return succeeded + "/" + std::to_string(integer(job, {"spec", "completions"}));
    const long long parallelism = integer(job, {"spec", "parallelism"});
    if (parallelism > 1)
        return succeeded + "/1 of " + std::to_string(parallelism);
    return succeeded + "/1";
}

Json jobDuration(const Json &job)
{
    const auto start = timeAt(job, {"status", "startTime"});
    if (!start)
        return "";
    const auto completion = timeAt(job, {"status", "completionTime"});
    if (!completion)
        return since(start);
    return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(*completion - *start));
}

Json jobCells(const Json &job)
{
    return Json::array({str(job, {"metadata", "name"}), jobStatus(job), jobCompletions(job), jobDuration(job), age(job)});
}

// Appends the wide cells every workload shares: containers, images, selector.
std::function<Json(const Json &)> withTemplate(std::function<Json(const Json &)> cells,
                                               std::string (*selector)(const Json *))
{
    return [cells = std::move(cells), selector](const Json &object) {
        Json row = cells(object);
        const Json *podSpec = find(object, {"spec", "template", "spec"});
        const auto [names, images] = containerCells(podSpec ? *podSpec : Json::object());
        row.push_back(names);
        row.push_back(images);
        row.push_back(selector(find(object, {"spec", "selector"})));
        return row;
    };
}

} // namespace

Printers workloadPrinters()
{
    return {
        {"apps",
         "Deployment",
         {nameColumn(),
          column("Ready", "string", "Number of the pod with ready state"),
          column("Up-to-date", "string", "Total number of pods targeted by the deployment that have the desired template."),
          column("Available", "string", "Total number of available pods targeted by the deployment."),
          ageColumn(),
          wideColumn("Containers", "string", kContainersDescription),
          wideColumn("Images", "string", kImagesDescription),
          wideColumn("Selector", "string", kSelectorDescription)},
         // Deployments print the bare selector text; the others print "<none>" for an empty one.
         withTemplate(deploymentCells, selectorText)},
        {"apps",
         "ReplicaSet",
         {nameColumn(),
          column("Desired", "integer", "Number of desired pods."),
          column("Current", "integer", "Most recently observed number of pods."),
          column("Ready", "integer", "Number of pods with a Ready condition."),
          ageColumn(),
          wideColumn("Containers", "string", kContainersDescription),
          wideColumn("Images", "string", kImagesDescription),
          wideColumn("Selector", "string", kSelectorDescription)},
         withTemplate(replicaSetCells, formatLabelSelector)},
        {"batch",
         "Job",
         {nameColumn(),
          column("Status", "string", "Status of the job."),
          column("Completions", "string", "The number of pods which reached phase Succeeded."),
          column("Duration", "string", "Time required to complete the job."),
          ageColumn(),
          wideColumn("Containers", "string", kContainersDescription),
          wideColumn("Images", "string", kImagesDescription),
          wideColumn("Selector", "string", kSelectorDescription)},
         withTemplate(jobCells, formatLabelSelector)},
    };
}

} // namespace cd::api::printing
