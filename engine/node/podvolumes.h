#pragma once
// The kubelet's volume manager for nodes that run real processes: every volume of a pod
// becomes a host folder that the runtime binds into the containers that mount it — emptyDir,
// configMap, secret, downwardAPI and projected (written the way the kubelet's atomic writer
// does: a timestamped folder behind a ..data link, so an update swaps all files at once),
// hostPath (with its type checks), and persistentVolumeClaim (the bound volume's folder).
// Errors read as the kubelet's FailedMount events: `MountVolume.SetUp failed for volume "cfg" :
// configmap "app" not found`.

#include "engine/core/result.h"
#include "engine/node/podcontext.h"
#include "engine/runtime/runtime.h"

#include <map>

namespace cd::node {

struct PreparedVolume {
    std::string hostPath;
    bool readOnly = false;
};
using PreparedVolumes = std::map<std::string, PreparedVolume>;

// Sets up the pod's volumes under podDir (DATA_DIR/kubelet/pods/<uid>).
Result<PreparedVolumes> setUpVolumes(const Json &pod, const std::string &podDir, const PodContext &context);
// The binds of one container, from its volumeMounts (subPath included).
Result<std::vector<runtime::Mount>> containerMounts(const Json &container, const PreparedVolumes &volumes);
// Removes what setUpVolumes made under podDir (never a hostPath's or a persistent volume's data).
void tearDownVolumes(const std::string &podDir);

// The kubelet's atomic writer: files (relative path -> content, mode) appear in `dir` together.
Status writeAtomically(const std::string &dir, const std::map<std::string, std::pair<std::string, int>> &files);

} // namespace cd::node
