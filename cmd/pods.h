/*
 * pods: the Kubernetes names of an error group, for advice and summary.
 *
 * Derived at display time from the places the store counted the group
 * in (qe_store_group_sources): each container log path
 * (/var/log/containers/POD_NAMESPACE_CONTAINER-ID.log or
 * /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log) names a pod.  Paths
 * of one pod (its containers, a restart's new log) count as one pod,
 * shown with its most recent container.  The store keeps the
 * QE_STORE_GROUP_SOURCES_MAX most recent sources of a group, so a group
 * seen in more pods than that is counted as "at least" (capped).
 */
#ifndef QE_PODS_H
#define QE_PODS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Pods named in text; the others are counted ("and 3 more"). */
#define QE_PODS_SHOWN 5

struct qe_store;

struct qe_pod {
	char *pod, *namespace, *container; /* sanitized: no control characters */
	long long count;		   /* occurrences read from this pod's logs */
	int64_t first_seen, last_seen;
};

struct qe_pods {
	struct qe_pod *v; /* one per pod, most recently seen first */
	size_t n, alloc;
	int capped; /* the store had as many sources as it keeps */
};

/* The pods of group fp (none when it was not read from container logs).
 * 0, or -1 with qe_error() set. */
int qe_pods_load(struct qe_store *s, const char *fp, struct qe_pods *out);
void qe_pods_release(struct qe_pods *p);
/* 1 when one of the pods is in namespace ns. */
int qe_pods_in_namespace(const struct qe_pods *p, const char *ns);
/* "3" or "32+" (capped). */
void qe_pods_count(const struct qe_pods *p, char *buf, size_t n);
/* "shop/web-1, shop/web-2 and 3 more": the first QE_PODS_SHOWN. Caller
 * frees. */
char *qe_pods_list(const struct qe_pods *p);
/* Set "pod", "namespace", "container" (of the most recent pod; null when
 * none), "pods" (how many), "pods_capped" and "pod_list" (each pod with
 * its namespace, container, count and times) in obj. */
void qe_pods_json(json_t *obj, const struct qe_pods *p);

#endif
