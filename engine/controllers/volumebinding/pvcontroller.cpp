#include "engine/controllers/volumebinding/pvcontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/volumebinding/localprovisioner.h"
#include "engine/controllers/volumebinding/volumematching.h"
#include "engine/core/clock.h"

#include <QPointer>

#include <cstdlib>

namespace cd::controllers {
namespace {

using namespace volumes;

const client::Resource &volumesResource() { return *client::builtinResource("persistentvolumes"); }
const client::Resource &claimsResource() { return *client::builtinResource("persistentvolumeclaims"); }

long long revisionOf(const Json &object)
{
    return std::strtoll(str(object, {"metadata", "resourceVersion"}).c_str(), nullptr, 10);
}

std::pair<std::string, std::string> splitKey(const std::string &key)
{
    const size_t slash = key.find('/');
    return {key.substr(0, slash), key.substr(slash + 1)};
}

std::vector<std::string> claimNamesOf(const Json &pod)
{
    std::vector<std::string> names;
    if (const Json *list = find(pod, {"spec", "volumes"}); list && list->is_array())
        for (const Json &volume : *list)
            if (const std::string claim = str(volume, {"persistentVolumeClaim", "claimName"}); !claim.empty())
                names.push_back(claim);
    return names;
}

void setAnnotation(Json &object, const char *name, const std::string &value)
{
    ensureObject(object, {"metadata", "annotations"})[name] = value;
}

const std::string kWaitingMessage = "waiting for first consumer to be created before binding";

} // namespace

PersistentVolumeController::PersistentVolumeController(client::Client *client, client::SharedInformers *informers,
                                                       QObject *parent)
    : QObject(parent), m_client(client), m_volumes(informers->informer(volumesResource())),
      m_claims(informers->informer(claimsResource())),
      m_classes(informers->informer(*client::builtinResource("storageclasses", "storage.k8s.io"))),
      m_pods(informers->informer(*client::builtinResource("pods"))),
      m_nodes(informers->informer(*client::builtinResource("nodes"))),
      m_recorder(client, "persistentvolume-controller", {}, this),
      m_claimQueue([this](const std::string &key, Done done) { syncClaim(key, std::move(done)); }, this),
      m_volumeQueue([this](const std::string &key, Done done) { syncVolume(key, std::move(done)); }, this),
      m_resync(this)
{
    // One claim at a time: two claims never race for the same volume on a stale cache.
    m_claimQueue.maxConcurrent = 1;
    m_claims->addHandler([this](const client::InformerEvent &event) { onClaimEvent(event); });
    m_volumes->addHandler([this](const client::InformerEvent &event) { onVolumeEvent(event); });
    m_pods->addHandler([this](const client::InformerEvent &event) { onPodEvent(event); });
    m_classes->addHandler([this](const client::InformerEvent &event) {
        if (!event.deleted())
            enqueuePendingClaims();
    });
    connect(&m_resync, &QTimer::timeout, this, [this] {
        for (const client::ObjectPtr &c : m_claims->list())
            m_claimQueue.add(claimKey(*c));
        for (const client::ObjectPtr &v : m_volumes->list())
            m_volumeQueue.add(str(*v, {"metadata", "name"}));
    });
    m_resync.start(15000);
}

// --- Events -------------------------------------------------------------------------------------

void PersistentVolumeController::onClaimEvent(const client::InformerEvent &event)
{
    const Json &c = *event.object;
    const std::string key = claimKey(c);
    if (auto it = m_writtenClaims.find(key); it != m_writtenClaims.end())
        if (event.deleted() || revisionOf(c) >= revisionOf(it->second))
            m_writtenClaims.erase(it);
    if (!event.deleted()) {
        m_claimQueue.add(key);
        return;
    }
    // A claim gone releases its volume.
    if (const std::string volumeName = str(c, {"spec", "volumeName"}); !volumeName.empty())
        m_volumeQueue.add(volumeName);
    for (const client::ObjectPtr &v : m_volumes->list())
        if (boundToClaim(*v, c))
            m_volumeQueue.add(str(*v, {"metadata", "name"}));
}

void PersistentVolumeController::onVolumeEvent(const client::InformerEvent &event)
{
    const Json &v = *event.object;
    const std::string name = str(v, {"metadata", "name"});
    if (auto it = m_writtenVolumes.find(name); it != m_writtenVolumes.end())
        if (event.deleted() || revisionOf(v) >= revisionOf(it->second))
            m_writtenVolumes.erase(it);
    if (event.deleted())
        return;
    m_volumeQueue.add(name);
    // A volume that became Available may be what a waiting claim needs.
    if (str(v, {"status", "phase"}) == "Available" && !find(v, {"spec", "claimRef"}))
        enqueuePendingClaims();
}

void PersistentVolumeController::onPodEvent(const client::InformerEvent &event)
{
    const Json &pod = *event.object;
    const std::vector<std::string> claims = claimNamesOf(pod);
    if (claims.empty())
        return;
    const std::string ns = str(pod, {"metadata", "namespace"});
    const std::string name = str(pod, {"metadata", "name"});
    const std::string node = str(pod, {"spec", "nodeName"});
    for (const std::string &claimName : claims) {
        const std::string key = ns + "/" + claimName;
        if (event.deleted()) {
            if (auto it = m_claimUsers.find(key); it != m_claimUsers.end()) {
                it->second.erase(name);
                if (it->second.empty())
                    m_claimUsers.erase(it);
            }
            continue;
        }
        std::string &known = m_claimUsers[key][name];
        const bool changed = known != node || event.added();
        known = node;
        if (changed)
            m_claimQueue.add(key);
    }
}

void PersistentVolumeController::enqueuePendingClaims()
{
    for (const client::ObjectPtr &c : m_claims->list())
        if (!hasAnnotation(*c, kBindCompleted))
            m_claimQueue.add(claimKey(*c));
}

// --- Reads --------------------------------------------------------------------------------------

client::ObjectPtr PersistentVolumeController::volume(const std::string &name) const
{
    client::ObjectPtr cached = m_volumes->get({}, name);
    auto it = m_writtenVolumes.find(name);
    if (it != m_writtenVolumes.end() && (!cached || revisionOf(it->second) > revisionOf(*cached)))
        return std::make_shared<const Json>(it->second);
    return cached;
}

client::ObjectPtr PersistentVolumeController::claim(const std::string &key) const
{
    const auto [ns, name] = splitKey(key);
    client::ObjectPtr cached = m_claims->get(ns, name);
    auto it = m_writtenClaims.find(key);
    if (it != m_writtenClaims.end() && cached && revisionOf(it->second) > revisionOf(*cached))
        return std::make_shared<const Json>(it->second);
    return cached;
}

std::vector<client::ObjectPtr> PersistentVolumeController::allVolumes() const
{
    std::vector<client::ObjectPtr> out;
    for (const client::ObjectPtr &v : m_volumes->list())
        out.push_back(volume(str(*v, {"metadata", "name"})));
    return out;
}

std::string PersistentVolumeController::scheduledNodeOf(const std::string &key) const
{
    auto it = m_claimUsers.find(key);
    if (it != m_claimUsers.end())
        for (const auto &[pod, node] : it->second)
            if (!node.empty())
                return node;
    return {};
}

// --- Claims -------------------------------------------------------------------------------------

void PersistentVolumeController::syncClaim(const std::string &key, Done done)
{
    if (!m_claims->hasSynced() || !m_volumes->hasSynced() || !m_classes->hasSynced()) {
        m_claimQueue.addAfter(key, 200);
        done(false);
        return;
    }
    const client::ObjectPtr c = claim(key);
    if (!c || find(*c, {"metadata", "deletionTimestamp"})) {
        done(false);
        return;
    }
    if (hasAnnotation(*c, kBindCompleted))
        syncBoundClaim(*c, std::move(done));
    else
        syncUnboundClaim(*c, std::move(done));
}

void PersistentVolumeController::syncUnboundClaim(const Json &c, Done done)
{
    const std::string volumeName = str(c, {"spec", "volumeName"});
    if (!volumeName.empty()) {
        // The user asked for one volume by name.
        const client::ObjectPtr v = volume(volumeName);
        if (!v) {
            updateClaimPending(c, std::move(done));
            return;
        }
        if (!find(*v, {"spec", "claimRef"})) {
            const std::string why = whyVolumeCannotServe(*v, c);
            if (why.empty()) {
                bind(*v, c, std::move(done));
                return;
            }
            m_recorder.warning(c, "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": " + why);
            updateClaimPending(c, std::move(done));
        } else if (boundToClaim(*v, c)) {
            bind(*v, c, std::move(done));
        } else {
            m_recorder.warning(c, "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.");
            if (hasAnnotation(c, kBoundByController))
                done(true);
            else
                updateClaimPending(c, std::move(done));
        }
        return;
    }

    const std::string cls = claimClass(c);
    const client::ObjectPtr storageClass = cls.empty() ? nullptr : m_classes->get({}, cls);
    const bool delayBinding = storageClass && str(*storageClass, {"volumeBindingMode"}) == "WaitForFirstConsumer";
    const std::vector<client::ObjectPtr> all = allVolumes();
    std::vector<const Json *> candidates;
    for (const client::ObjectPtr &v : all)
        candidates.push_back(v.get());
    if (const Json *match = findBestMatch(c, candidates, delayBinding, nullptr)) {
        bind(*match, c, std::move(done));
        return;
    }
    // No volume: a claim without a class takes today's default class (retroactive default
    // StorageClass assignment), then provisioning or waiting.
    if (!claimHasClass(c)) {
        std::string chosen;
        TimePoint chosenTime{};
        for (const client::ObjectPtr &sc : m_classes->list()) {
            if (!isDefaultClass(*sc))
                continue;
            const TimePoint t = parseRfc3339(str(*sc, {"metadata", "creationTimestamp"})).value_or(TimePoint{});
            if (chosen.empty() || t > chosenTime) {
                chosen = str(*sc, {"metadata", "name"});
                chosenTime = t;
            }
        }
        if (!chosen.empty()) {
            Json updated = c;
            updated["spec"]["storageClassName"] = chosen;
            write(claimsResource(), updated, {}, [done](const Json *stored) { done(!stored); });
            return;
        }
    }
    if (delayBinding && !hasAnnotation(c, kSelectedNode)) {
        waitForConsumer(c, std::move(done));
        return;
    }
    if (!cls.empty()) {
        provisionClaim(c, std::move(done));
        return;
    }
    m_recorder.normal(c, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
    updateClaimPending(c, std::move(done));
}

void PersistentVolumeController::waitForConsumer(const Json &c, Done done)
{
    const std::string key = claimKey(c);
    const std::string node = scheduledNodeOf(key);
    if (node.empty()) {
        std::string reason = "WaitForFirstConsumer", message = kWaitingMessage;
        if (auto it = m_claimUsers.find(key); it != m_claimUsers.end() && !it->second.empty()) {
            std::string pods;
            for (const auto &[pod, podNode] : it->second)
                pods += (pods.empty() ? "" : ",") + pod;
            reason = "WaitForPodScheduled";
            message = it->second.size() > 1 ? "waiting for pods " + pods + " to be scheduled"
                                            : "waiting for pod " + pods + " to be scheduled";
        }
        m_recorder.normal(c, reason, message);
        updateClaimPending(c, std::move(done));
        return;
    }
    // A pod using the claim runs on `node`: a volume that node can reach, or a new one there.
    NodeInfo info{node, {}};
    if (const client::ObjectPtr n = m_nodes->get({}, node))
        info.labels = stringMap(*n, {"metadata", "labels"});
    const std::vector<client::ObjectPtr> all = allVolumes();
    std::vector<const Json *> candidates;
    for (const client::ObjectPtr &v : all)
        candidates.push_back(v.get());
    if (const Json *match = findBestMatch(c, candidates, true, &info)) {
        bind(*match, c, std::move(done));
        return;
    }
    const client::ObjectPtr storageClass = m_classes->get({}, claimClass(c));
    if (!storageClass || str(*storageClass, {"provisioner"}) == "kubernetes.io/no-provisioner") {
        m_recorder.normal(c, "WaitForFirstConsumer", kWaitingMessage);
        updateClaimPending(c, std::move(done));
        return;
    }
    Json updated = c;
    setAnnotation(updated, kSelectedNode, node);
    write(claimsResource(), updated, {}, [done](const Json *stored) { done(!stored); });
}

void PersistentVolumeController::provisionClaim(const Json &c, Done done)
{
    const std::string cls = claimClass(c);
    const client::ObjectPtr storageClass = m_classes->get({}, cls);
    if (!storageClass) {
        // Stays Pending; tried again when classes change and at every resync.
        m_recorder.warning(c, "ProvisioningFailed", "storageclass.storage.k8s.io \"" + cls + "\" not found");
        done(false);
        return;
    }
    const std::string provisioner = str(*storageClass, {"provisioner"});
    const std::string message = "Waiting for a volume to be created either by the external provisioner '" +
                                provisioner +
                                "' or manually by the system administrator. If volume creation is delayed, please "
                                "verify that the provisioner is running and correctly registered.";
    if (annotation(c, kStorageProvisioner) == provisioner) {
        m_recorder.normal(c, "ExternalProvisioning", message);
        done(false);
        return;
    }
    // The annotation tells the provisioner the claim is its to serve.
    Json updated = c;
    setAnnotation(updated, kBetaStorageProvisioner, provisioner);
    setAnnotation(updated, kStorageProvisioner, provisioner);
    QPointer<PersistentVolumeController> self(this);
    write(claimsResource(), updated, {}, [self, message, done](const Json *stored) {
        if (!self)
            return;
        if (stored)
            self->m_recorder.normal(*stored, "ExternalProvisioning", message);
        done(!stored);
    });
}

void PersistentVolumeController::syncBoundClaim(const Json &c, Done done)
{
    QPointer<PersistentVolumeController> self(this);
    auto lost = [self, c, done](const std::string &reason, const std::string &message) {
        if (str(c, {"status", "phase"}) == "Lost") {
            done(false);
            return;
        }
        self->updateClaimStatus(c, "Lost", nullptr, [self, reason, message, done](const Json *stored) {
            if (self && stored)
                self->m_recorder.warning(*stored, reason, message);
            done(!stored);
        });
    };
    const std::string volumeName = str(c, {"spec", "volumeName"});
    if (volumeName.empty()) {
        lost("ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
        return;
    }
    const client::ObjectPtr v = volume(volumeName);
    if (!v) {
        lost("ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        return;
    }
    const Json *ref = find(*v, {"spec", "claimRef"});
    if (!ref || str(*ref, {"uid"}) == str(c, {"metadata", "uid"}))
        bind(*v, c, std::move(done));
    else
        lost("ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
}

// --- Volumes ------------------------------------------------------------------------------------

void PersistentVolumeController::syncVolume(const std::string &name, Done done)
{
    if (!m_claims->hasSynced() || !m_volumes->hasSynced()) {
        m_volumeQueue.addAfter(name, 200);
        done(false);
        return;
    }
    const client::ObjectPtr v = volume(name);
    if (!v) {
        done(false);
        return;
    }
    const Json *ref = find(*v, {"spec", "claimRef"});
    if (!ref || ref->is_null() || str(*ref, {"uid"}).empty()) {
        // Unused, or reserved for a claim by name that has yet to bind.
        updateVolumePhase(*v, "Available", [done](const Json *stored) { done(!stored); });
        return;
    }
    const std::string ns = str(*ref, {"namespace"}), claimName = str(*ref, {"name"});
    client::ObjectPtr c = claim(ns + "/" + claimName);
    const std::string phase = str(*v, {"status", "phase"});
    const bool uidDiffers = c && str(*c, {"metadata", "uid"}) != str(*ref, {"uid"});
    if ((!c && phase != "Released" && phase != "Failed") || uidDiffers) {
        // Never release a volume on the word of a cache alone: ask the API.
        QPointer<PersistentVolumeController> self(this);
        const Json volumeObject = *v;
        m_client->get(claimsResource(), ns, claimName, [self, volumeObject, done](const client::Response &r) {
            if (!self)
                return;
            if (!r.ok() && r.status != 404) {
                done(true);
                return;
            }
            client::ObjectPtr live = r.ok() ? std::make_shared<const Json>(r.json()) : nullptr;
            if (live && str(*live, {"metadata", "uid"}) != str(volumeObject, {"spec", "claimRef", "uid"}))
                live = nullptr;  // deleted, and another claim took the name
            self->syncVolumeWithClaim(volumeObject, live, done);
        });
        return;
    }
    syncVolumeWithClaim(*v, c, std::move(done));
}

void PersistentVolumeController::syncVolumeWithClaim(const Json &v, client::ObjectPtr c, Done done)
{
    QPointer<PersistentVolumeController> self(this);
    const std::string name = str(v, {"metadata", "name"});
    if (!c) {
        const std::string phase = str(v, {"status", "phase"});
        if (phase == "Released" || phase == "Failed") {
            reclaimVolume(v, std::move(done));
            return;
        }
        updateVolumePhase(v, "Released", [self, done](const Json *stored) {
            if (!self)
                return;
            if (!stored)
                done(true);
            else
                self->reclaimVolume(*stored, done);
        });
        return;
    }
    const std::string claimVolume = str(*c, {"spec", "volumeName"});
    if (claimVolume.empty()) {
        if (volumeModesDiffer(*c, v)) {
            m_recorder.warning(v, "VolumeMismatch",
                               "Cannot bind PersistentVolume to requested PersistentVolumeClaim \"" +
                                   str(*c, {"metadata", "name"}) + "\" due to incompatible volumeMode.");
            m_recorder.warning(*c, "VolumeMismatch",
                               "Cannot bind PersistentVolume \"" + name +
                                   "\" to requested PersistentVolumeClaim due to incompatible volumeMode.");
            done(false);
            return;
        }
        // Bound (or provisioned) for a claim that does not know yet: the claim's sync finishes it.
        m_claimQueue.add(claimKey(*c));
        done(false);
        return;
    }
    if (claimVolume == name) {
        updateVolumePhase(v, "Bound", [done](const Json *stored) { done(!stored); });
        return;
    }
    // The claim is bound to another volume.
    if (hasAnnotation(v, kProvisionedBy) && str(v, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete") {
        updateVolumePhase(v, "Released", [self, done](const Json *stored) {
            if (!self)
                return;
            if (!stored)
                done(true);
            else
                self->reclaimVolume(*stored, done);
        });
        return;
    }
    unbindVolume(v, std::move(done));
}

void PersistentVolumeController::reclaimVolume(const Json &v, Done done)
{
    const std::string policy = str(v, {"spec", "persistentVolumeReclaimPolicy"});
    const std::string name = str(v, {"metadata", "name"});
    if (policy == "Retain") {
        done(false);
    } else if (policy == "Delete") {
        // A provisioner deletes what it provisioned; other volumes are deleted here.
        if (hasAnnotation(v, kProvisionedBy)) {
            done(false);
            return;
        }
        m_client->remove(volumesResource(), {}, name,
                         [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
    } else if (policy == "Recycle") {
        QPointer<PersistentVolumeController> self(this);
        const Json volumeObject = v;
        unbindVolume(v, [self, volumeObject, done](bool retry) {
            if (self && !retry)
                self->m_recorder.normal(volumeObject, "VolumeRecycled", "Volume recycled");
            done(retry);
        });
    } else {
        QPointer<PersistentVolumeController> self(this);
        if (str(v, {"status", "phase"}) == "Failed") {
            done(false);
            return;
        }
        updateVolumePhase(v, "Failed", [self, done](const Json *stored) {
            if (self && stored)
                self->m_recorder.warning(*stored, "VolumeUnknownReclaimPolicy",
                                         "Volume has unrecognized PersistentVolumeReclaimPolicy");
            done(!stored);
        });
    }
}

// --- Writes -------------------------------------------------------------------------------------

void PersistentVolumeController::write(const client::Resource &resource, const Json &object, const std::string &sub,
                                       std::function<void(const Json *)> then)
{
    QPointer<PersistentVolumeController> self(this);
    const bool isVolume = resource.plural == "persistentvolumes";
    m_client->update(resource, object, [self, isVolume, then](const client::Response &r) {
        if (!self)
            return;
        if (!r.ok()) {
            then(nullptr);
            return;
        }
        const Json stored = r.json();
        if (isVolume)
            self->m_writtenVolumes[str(stored, {"metadata", "name"})] = stored;
        else
            self->m_writtenClaims[claimKey(stored)] = stored;
        then(&stored);
    }, sub);
}

void PersistentVolumeController::updateVolumePhase(const Json &v, const std::string &phase,
                                                   std::function<void(const Json *)> then)
{
    if (str(v, {"status", "phase"}) == phase) {
        then(&v);
        return;
    }
    Json updated = v;
    Json &status = ensureObject(updated, {"status"});
    status["phase"] = phase;
    status.erase("message");
    status["lastPhaseTransitionTime"] = nowRfc3339();
    write(volumesResource(), updated, "status", std::move(then));
}

void PersistentVolumeController::updateClaimStatus(const Json &c, const std::string &phase, const Json *v,
                                                   std::function<void(const Json *)> then)
{
    Json updated = c;
    Json &status = ensureObject(updated, {"status"});
    const bool phaseChanges = str(c, {"status", "phase"}) != phase;
    bool dirty = phaseChanges;
    status["phase"] = phase;
    if (!v) {
        for (const char *field : {"accessModes", "capacity"})
            if (status.contains(field)) {
                status.erase(field);
                dirty = true;
            }
    } else {
        const Json *modes = find(*v, {"spec", "accessModes"});
        const Json want = modes ? *modes : Json();
        if (!status.contains("accessModes") || status["accessModes"] != want) {
            status["accessModes"] = want;
            dirty = true;
        }
        // Capacity is copied when the claim becomes Bound, not later (a difference may be meant).
        if (phaseChanges) {
            const Json *capacity = find(*v, {"spec", "capacity"});
            if (capacity && (!status.contains("capacity") || status["capacity"] != *capacity)) {
                status["capacity"] = *capacity;
                dirty = true;
            }
        }
    }
    if (!dirty) {
        then(&c);
        return;
    }
    write(claimsResource(), updated, "status", std::move(then));
}

void PersistentVolumeController::updateClaimPending(const Json &c, Done done)
{
    updateClaimStatus(c, "Pending", nullptr, [done](const Json *stored) { done(!stored); });
}

void PersistentVolumeController::bind(const Json &v, const Json &c, Done done)
{
    QPointer<PersistentVolumeController> self(this);
    // 3 and 4: the claim names the volume, then says Bound.
    auto bindClaim = [self, c, done](const Json &boundVolume) {
        Json updated = c;
        bool dirty = false;
        const std::string name = str(boundVolume, {"metadata", "name"});
        if (str(c, {"spec", "volumeName"}) != name) {
            updated["spec"]["volumeName"] = name;
            if (!hasAnnotation(updated, kBoundByController))
                setAnnotation(updated, kBoundByController, "yes");
            dirty = true;
        }
        if (!hasAnnotation(updated, kBindCompleted)) {
            setAnnotation(updated, kBindCompleted, "yes");
            dirty = true;
        }
        auto claimStatus = [self, boundVolume, done](const Json *storedClaim) {
            if (!self)
                return;
            if (!storedClaim) {
                done(true);
                return;
            }
            self->updateClaimStatus(*storedClaim, "Bound", &boundVolume,
                                    [done](const Json *stored) { done(!stored); });
        };
        if (dirty)
            self->write(claimsResource(), updated, {}, claimStatus);
        else
            claimStatus(&c);
    };
    // 2: the volume says Bound.
    auto volumePhase = [self, bindClaim, done](const Json *storedVolume) {
        if (!self)
            return;
        if (!storedVolume) {
            done(true);
            return;
        }
        self->updateVolumePhase(*storedVolume, "Bound", [bindClaim, done](const Json *stored) {
            if (!stored)
                done(true);
            else
                bindClaim(*stored);
        });
    };
    // 1: the volume names the claim (GetBindVolumeToClaim).
    Json updated = v;
    bool dirty = false;
    const bool alreadyBound = boundToClaim(v, c);
    const Json *ref = find(v, {"spec", "claimRef"});
    if (!ref || str(*ref, {"name"}) != str(c, {"metadata", "name"}) ||
        str(*ref, {"namespace"}) != str(c, {"metadata", "namespace"}) ||
        str(*ref, {"uid"}) != str(c, {"metadata", "uid"})) {
        updated["spec"]["claimRef"] = claimReference(c);
        dirty = true;
    }
    if (!alreadyBound && !hasAnnotation(updated, kBoundByController)) {
        setAnnotation(updated, kBoundByController, "yes");
        dirty = true;
    }
    if (dirty)
        write(volumesResource(), updated, {}, volumePhase);
    else
        volumePhase(&v);
}

void PersistentVolumeController::unbindVolume(const Json &v, Done done)
{
    Json updated = v;
    if (hasAnnotation(v, kBoundByController)) {
        updated["spec"].erase("claimRef");
        updated["metadata"]["annotations"].erase(kBoundByController);
        if (updated["metadata"]["annotations"].empty())
            updated["metadata"].erase("annotations");
    } else {
        // Pre-bound by its author: it stays reserved for that claim by name.
        updated["spec"]["claimRef"].erase("uid");
    }
    QPointer<PersistentVolumeController> self(this);
    write(volumesResource(), updated, {}, [self, done](const Json *stored) {
        if (!self)
            return;
        if (!stored) {
            done(true);
            return;
        }
        self->updateVolumePhase(*stored, "Available", [done](const Json *s) { done(!s); });
    });
}

} // namespace cd::controllers
