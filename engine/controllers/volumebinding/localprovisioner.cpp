#include "engine/controllers/volumebinding/localprovisioner.h"

#include "engine/client/resources.h"
#include "engine/controllers/volumebinding/volumematching.h"

#include <QDir>
#include <QPointer>
#include <QTimer>

namespace cd::controllers {
namespace {

using namespace volumes;

const client::Resource &volumesResource() { return *client::builtinResource("persistentvolumes"); }
const client::Resource &classesResource() { return *client::builtinResource("storageclasses", "storage.k8s.io"); }

bool servedHere(const Json &claim)
{
    return annotation(claim, kStorageProvisioner) == kLocalProvisioner ||
           annotation(claim, kBetaStorageProvisioner) == kLocalProvisioner;
}

bool ours(const Json &volume) { return annotation(volume, kProvisionedBy) == kLocalProvisioner; }

bool releasedForDeletion(const Json &volume)
{
    return ours(volume) && str(volume, {"status", "phase"}) == "Released" &&
           str(volume, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete";
}

} // namespace

LocalProvisioner::LocalProvisioner(client::Client *client, client::SharedInformers *informers, std::string volumeRoot,
                                   bool createDefaultClass, QObject *parent)
    : QObject(parent), m_client(client),
      m_claims(informers->informer(*client::builtinResource("persistentvolumeclaims"))),
      m_volumes(informers->informer(volumesResource())), m_classes(informers->informer(classesResource())),
      m_nodes(informers->informer(*client::builtinResource("nodes"))),
      m_recorder(client, kLocalProvisioner, {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this),
      m_root(std::move(volumeRoot)), m_createDefaultClass(createDefaultClass)
{
    m_claims->addHandler([this](const client::InformerEvent &event) {
        const Json &claim = *event.object;
        if (!event.deleted() && servedHere(claim) && str(claim, {"spec", "volumeName"}).empty())
            m_queue.add("claim/" + claimKey(claim));
    });
    m_volumes->addHandler([this](const client::InformerEvent &event) {
        if (!event.deleted() && releasedForDeletion(*event.object))
            m_queue.add("volume/" + str(*event.object, {"metadata", "name"}));
    });
    connect(m_classes, &client::Informer::synced, this, &LocalProvisioner::ensureDefaultClass);
    if (m_classes->hasSynced())
        QTimer::singleShot(0, this, &LocalProvisioner::ensureDefaultClass);
}

Json LocalProvisioner::standardStorageClass()
{
    return {{"apiVersion", "storage.k8s.io/v1"},
            {"kind", "StorageClass"},
            {"metadata", {{"name", "standard"}, {"annotations", {{kDefaultClass, "true"}}}}},
            {"provisioner", kLocalProvisioner},
            {"reclaimPolicy", "Delete"},
            {"volumeBindingMode", "Immediate"}};
}

void LocalProvisioner::ensureDefaultClass()
{
    if (!m_createDefaultClass || m_classChecked)
        return;
    m_classChecked = true;
    // Never a second default, and never `standard` again once someone made their own.
    for (const client::ObjectPtr &sc : m_classes->list())
        if (str(*sc, {"metadata", "name"}) == "standard" || isDefaultClass(*sc))
            return;
    m_client->create(classesResource(), {}, standardStorageClass(), {});
}

void LocalProvisioner::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (key.rfind("volume/", 0) == 0) {
        const client::ObjectPtr volume = m_volumes->get({}, key.substr(7));
        if (!volume || !releasedForDeletion(*volume)) {
            done(false);
            return;
        }
        deleteVolume(*volume, std::move(done));
        return;
    }
    const std::string claimPath = key.substr(6);
    const size_t slash = claimPath.find('/');
    const client::ObjectPtr claim = m_claims->get(claimPath.substr(0, slash), claimPath.substr(slash + 1));
    if (!claim || !servedHere(*claim) || !str(*claim, {"spec", "volumeName"}).empty() ||
        find(*claim, {"metadata", "deletionTimestamp"})) {
        done(false);
        return;
    }
    const client::ObjectPtr storageClass = m_classes->get({}, claimClass(*claim));
    if (!storageClass || str(*storageClass, {"provisioner"}) != kLocalProvisioner) {
        done(false);
        return;
    }
    // WaitForFirstConsumer: only once a node was chosen for the claim.
    if (str(*storageClass, {"volumeBindingMode"}) == "WaitForFirstConsumer" && !hasAnnotation(*claim, kSelectedNode)) {
        done(false);
        return;
    }
    if (m_volumes->get({}, "pvc-" + str(*claim, {"metadata", "uid"}))) {
        done(false);  // made already; the PV controller binds it
        return;
    }
    provision(*claim, *storageClass, std::move(done));
}

void LocalProvisioner::provision(const Json &claim, const Json &storageClass, std::function<void(bool)> done)
{
    const std::string cls = str(storageClass, {"metadata", "name"});
    const std::string key = claimKey(claim);
    if (const Json *selector = find(claim, {"spec", "selector"}); selector && !selector->is_null()) {
        m_recorder.warning(claim, "ProvisioningFailed",
                           "failed to provision volume with StorageClass \"" + cls + "\": claim Selector is not supported");
        done(false);
        return;
    }
    const std::string name = "pvc-" + str(claim, {"metadata", "uid"});
    m_recorder.normal(claim, "Provisioning", "External provisioner is provisioning volume for claim \"" + key + "\"");

    Json spec = {{"accessModes", find(claim, {"spec", "accessModes"}) ? claim["spec"]["accessModes"] : Json::array()},
                 {"capacity", {{"storage", str(claim, {"spec", "resources", "requests", "storage"})}}},
                 {"claimRef", claimReference(claim)},
                 {"hostPath", {{"path", m_root + "/" + name}, {"type", "DirectoryOrCreate"}}},
                 {"persistentVolumeReclaimPolicy", str(storageClass, {"reclaimPolicy"}, "Delete")},
                 {"storageClassName", cls},
                 {"volumeMode", str(claim, {"spec", "volumeMode"}, "Filesystem")}};
    // A volume on one node's disk is reachable from that node only.
    if (const std::string node = annotation(claim, kSelectedNode); !node.empty()) {
        std::string hostname = node;
        if (const client::ObjectPtr n = m_nodes->get({}, node))
            hostname = str(*n, {"metadata", "labels", "kubernetes.io/hostname"}, node);
        spec["nodeAffinity"] = {
            {"required",
             {{"nodeSelectorTerms",
               Json::array({{{"matchExpressions",
                              Json::array({{{"key", "kubernetes.io/hostname"},
                                            {"operator", "In"},
                                            {"values", Json::array({hostname})}}})}}})}}}};
    }
    const Json volume = {{"apiVersion", "v1"},
                         {"kind", "PersistentVolume"},
                         {"metadata", {{"name", name}, {"annotations", {{kProvisionedBy, kLocalProvisioner}}}}},
                         {"spec", std::move(spec)}};
    QPointer<LocalProvisioner> self(this);
    m_client->create(volumesResource(), {}, volume, [self, claim, cls, name, done](const client::Response &r) {
        if (!self)
            return;
        if (r.ok()) {
            self->m_recorder.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + name);
            done(false);
        } else if (r.status == 409) {
            done(false);
        } else {
            self->m_recorder.warning(claim, "ProvisioningFailed",
                                     "failed to provision volume with StorageClass \"" + cls + "\": " + r.message());
            done(true);
        }
    });
}

void LocalProvisioner::deleteVolume(const Json &volume, std::function<void(bool)> done)
{
    // Only ever the folder this provisioner made for the volume.
    const std::string name = str(volume, {"metadata", "name"});
    const std::string path = str(volume, {"spec", "hostPath", "path"});
    if (!m_root.empty() && path == m_root + "/" + name) {
        QDir dir(QString::fromStdString(path));
        if (dir.exists())
            dir.removeRecursively();
    }
    m_client->remove(volumesResource(), {}, name,
                     [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
}

} // namespace cd::controllers
