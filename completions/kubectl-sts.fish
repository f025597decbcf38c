# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_sts_global_optspecs
    string join \n n/namespace= context= kubeconfig= o/output= y/yes timeout= request-timeout= as= as-group= token= server= certificate-authority= insecure-skip-tls-verify h/help V/version
end

function __fish_kubectl_sts_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_sts_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_sts_using_subcommand
    set -l cmd (__fish_kubectl_sts_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "list" -d 'List StatefulSets with their replicas, strategy, partition and rollouts in flight'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "status" -d 'Show one StatefulSet: revisions, every ordinal\'s pod and claims, DNS names, and what the controller is doing or waiting on'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "why" -d 'Explain what keeps a StatefulSet from converging: each finding with the cluster\'s evidence (conditions, container states, events, quotas, volumes) and the command to run'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "wait" -d 'Wait until a StatefulSet has converged under its own strategy (for CI after `helm upgrade` or a GitOps sync): every member Ready and available, every pod the strategy updates by itself on the update revision; stop as soon as something blocks'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "plan" -d 'Plan a changed manifest (Helm, kustomize, a repository) against the live StatefulSets, field by field: in place, rolled out (which pods, in which order), re-created with pods and claims kept (fields the API server refuses to update), or refused with the reason'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "apply" -d 'Carry out a manifest\'s plan in one ordered, crash-safe sequence: claims grown, the set re-created with its pods and claims kept when a field cannot be updated, then the template applied and its rollout followed until the set has converged'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "scale" -d 'Scale a StatefulSet in order, showing which pods come and go and what happens to their claims, then wait pod by pod'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "rollout" -d 'Stage a new template: images and partition in one write, so no pod restarts before the partition is in place (default partition: the replica count, nothing moves until promoted)'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "canary" -d 'Roll a new template out to the K highest ordinals only and wait until they are Ready'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "promote" -d 'Lower the partition of a staged rollout and wait for each newly updated pod; on a terminal without a choice, offers the next pod, half of the rest, or all'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "abort" -d 'Stop a staged rollout: template back to the revision it started from, broken pods on the aborted revision deleted so they come back, partition restored'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "history" -d 'List the revisions of a StatefulSet with what changed in each (images, env, resources, …)'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "undo" -d 'Go back to an earlier revision (the previous one by default)'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "roll" -d 'Replace the outdated pods of an OnDelete set one at a time (or chosen ordinals of any set), each after every other member is Ready; resumable'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "restart" -d 'Restart every pod (the `kubectl.kubernetes.io/restartedAt` template annotation, as `kubectl rollout restart` sets it), following the rollout; OnDelete sets are rolled'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "recover" -d 'Recover members stranded on a dead node: prove the node down (Ready condition, Lease, taints, volume attachments), then force-delete the pods or fence the node out of service, and wait until each member is Ready again on a live node'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "delete" -d 'Delete a StatefulSet safely: an ordered teardown (scale to 0 pod by pod, then delete), or with --orphan only the set, its pods left running and its claims in place'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "pvc" -d 'A StatefulSet\'s claims per ordinal and template (leftovers included) with volumes, sizes, classes and reclaim policies; prune leftovers; grow a template with `pvc resize`'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "dns" -d 'Check every pod\'s DNS name (`<pod>.<service>.<ns>.svc.<domain>`) and say why one would not resolve: Service, headless, selector, endpoints, readiness, label lengths, SRV names; with --resolve, ask the cluster\'s DNS and compare its answers with the pod IPs'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "completion" -d 'Print a shell completion script for `kubectl-sts`, generated from these definitions'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "man" -d 'Write the man pages (roff), one per command, generated from these definitions'
complete -c kubectl-sts -n "__fish_kubectl_sts_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s A -l all-namespaces -d 'List StatefulSets in every namespace'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand list" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s w -l watch -d 'Redraw on every change of the set, its pods or claims, until interrupted or --timeout'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand why" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand wait" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s f -l filename -d 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l allow-service-name-change -d 'Plan a changed spec.serviceName (every pod\'s DNS name changes) as a re-create instead of refusing it'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l replace-pending-claims -d 'A claim template\'s class, access modes or volume mode may change when every existing claim of it is Pending without a volume (it holds no data): those claims and their Pending pods are deleted and created again from the new template'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand plan" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s f -l filename -d 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l field-manager -d 'The field manager of the server-side applies (who owns the fields written)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l backup-dir -d 'Directory to save each re-created set\'s manifest in before its --orphan delete' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l pod-check -d 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l pod-check-passes -d 'Consecutive passes the pod check needs (a flapping signal does not count)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l pod-check-interval -d 'Time between two runs of the pod check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l pod-check-timeout -d 'How long a pod\'s check may take to pass, all runs together (also the limit of each hook)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l before-each -d 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l after-each -d 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l leader -d 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l max-unavailable -d 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l allow-service-name-change -d 'Plan a changed spec.serviceName (every pod\'s DNS name changes) as a re-create instead of refusing it'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l replace-pending-claims -d 'A claim template\'s class, access modes or volume mode may change when every existing claim of it is Pending without a volume (it holds no data): those claims and their Pending pods are deleted and created again from the new template'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l force-conflicts -d 'Take fields that another server-side applier (Flux, Argo CD, `kubectl apply --server-side`) set to other values; without it such a conflict is refused'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand apply" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l replicas -d 'The number of replicas wanted' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l no-wait -d 'Change spec.replicas and return without waiting for the pods'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand scale" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l image -d 'New image of a container or init container, as CONTAINER=IMAGE (repeatable)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l partition -d 'Ordinals from start + P move now (default: the replica count: nothing moves until promoted)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l steps -d 'Progressive rollout: after each step that many pods run the new template, as counts or percentages of the replicas (rounded up, increasing), highest ordinals first, e.g. 1,25%,50%,100%' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l pause -d 'With --steps: how long each step bakes (its pods watched) before the next, e.g. 30s, 5m' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l check -d 'With --steps: a command run through `sh -c` after each step (its exit code decides); it gets STS_NAMESPACE, STS_NAME, STS_STEP, STS_STEPS, STS_PARTITION, STS_UPDATE_REVISION, STS_UPDATED_PODS and STS_UPDATED_FQDNS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l check-timeout -d 'With --check: how long the check may run before it counts as failed' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l pod-check -d 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l pod-check-passes -d 'Consecutive passes the pod check needs (a flapping signal does not count)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l pod-check-interval -d 'Time between two runs of the pod check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l pod-check-timeout -d 'How long a pod\'s check may take to pass, all runs together (also the limit of each hook)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l before-each -d 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l after-each -d 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l leader -d 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l max-unavailable -d 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l no-auto-abort -d 'With --steps: a failed step stops where it is instead of aborting the rollout'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l no-wait -d 'Stage and return without waiting for the pods that move'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand rollout" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l image -d 'New image of a container or init container, as CONTAINER=IMAGE (repeatable)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l count -d 'How many of the highest ordinals become canaries' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l no-wait -d 'Stage and return without waiting for the canaries'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand canary" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l step -d 'Lower the partition by K (K more pods move)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l partition -d 'Set the partition to P (never above the current one)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l pod-check -d 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l pod-check-passes -d 'Consecutive passes the pod check needs (a flapping signal does not count)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l pod-check-interval -d 'Time between two runs of the pod check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l pod-check-timeout -d 'How long a pod\'s check may take to pass, all runs together (also the limit of each hook)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l before-each -d 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l after-each -d 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l leader -d 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l max-unavailable -d 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l full -d 'Move every pod (partition 0): finish the rollout'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l no-wait -d 'Lower the partition and return without waiting'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand promote" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l no-wait -d 'Restore the template, delete the stuck pods and return without waiting'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand abort" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand history" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l to-revision -d 'The revision number to go back to (see `kubectl sts history`); default: the previous one' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l no-wait -d 'Restore the template and return without waiting'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand undo" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l ordinals -d 'Replace only these ordinals, in this order (e.g. 2,0); default: every outdated pod, highest ordinal first' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l pod-check -d 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l pod-check-passes -d 'Consecutive passes the pod check needs (a flapping signal does not count)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l pod-check-interval -d 'Time between two runs of the pod check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l pod-check-timeout -d 'How long a pod\'s check may take to pass, all runs together (also the limit of each hook)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l before-each -d 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l after-each -d 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l leader -d 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l max-unavailable -d 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l evict -d 'Take pods down through the Eviction API, so that PodDisruptionBudgets are honoured'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l no-wait -d 'Take down only the next pod and return without waiting (re-run to go on)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand roll" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l pod-check -d 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l pod-check-passes -d 'Consecutive passes the pod check needs (a flapping signal does not count)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l pod-check-interval -d 'Time between two runs of the pod check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l pod-check-timeout -d 'How long a pod\'s check may take to pass, all runs together (also the limit of each hook)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l before-each -d 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l after-each -d 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l leader -d 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l max-unavailable -d 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l evict -d 'OnDelete sets: take pods down through the Eviction API (PodDisruptionBudgets honoured)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l no-wait -d 'Set the annotation and return without waiting for the pods'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand restart" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l force-delete -d 'Delete each stranded pod at once (grace period 0), only while it is the pod proven stranded (uid); the controller re-creates it on a live node'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l out-of-service -d 'Taint each dead node node.kubernetes.io/out-of-service=nodeshutdown:NoExecute: the pod garbage collector removes its pods and its volumes are detached (remove the taint once the node is repaired)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand recover" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l backup-dir -d 'Directory to save the set\'s manifest in before an --orphan delete' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l orphan -d 'Delete only the set (propagationPolicy Orphan): its pods keep running, its claims stay'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l delete-pvcs -d 'Also delete the set\'s claims once it is gone; asks to type the set\'s name (volumes with reclaimPolicy Delete lose their data)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l dry-run -d 'Print the plan and check it with the server (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l no-wait -d 'Start the teardown (scale to 0) or the orphan delete and return without waiting; re-run to finish'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand delete" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l prune -d 'Delete leftover claims (ordinals outside the set) that no pod uses, after confirmation'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l dry-run -d 'With --prune: print the plan and check it with the server; delete nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -a "resize" -d 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and not __fish_seen_subcommand_from resize help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l template -d 'The claim template to grow (a name under spec.volumeClaimTemplates); needed only when the set has several' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l size -d 'The new size: a quantity above the current one (e.g. 2Gi, 1.5Ti, 500G)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l backup-dir -d 'Directory to save the set\'s manifest in before it is deleted' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l dry-run -d 'Print the plan and have the server check the claim patches (server-side dry run); change nothing'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from resize" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from help" -f -a "resize" -d 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand pvc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l nameserver -d 'With --resolve: ask this DNS server directly (HOST:PORT, port 53 if left out) instead of going through the API server' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l cluster-domain -d 'The cluster\'s DNS domain; with --resolve it is checked against the server\'s answers' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l contexts -d 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l resolve -d 'Also query the cluster\'s DNS for every pod name (A/AAAA), the Service name and its SRV names, and compare the answers with the pod IPs (by default through a port-forward to a cluster DNS pod in kube-system: nothing is created)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l all-contexts -d 'Ask every context of the kubeconfig at once, as --contexts'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand dns" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -s n -l namespace -d 'Namespace of the StatefulSet (default: the context\'s namespace, else `default`)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -s o -l output -d 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts' -r -f -a "table\t''
wide\t'Tables that list every pod, however large the set (plans and progress of more than 20 pods are otherwise grouped and summed up)'
json\t''
yaml\t''"
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l timeout -d 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l request-timeout -d 'How long a single API request may take (e.g. 5s); 0 means no limit' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l as -d 'Act as this user (impersonation), like `kubectl --as`' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l as-group -d 'Act as a member of this group (impersonation, with --as); repeat for several groups' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l token -d 'Bearer token to authenticate with, instead of the kubeconfig user\'s credentials (its client certificate, token or exec plugin)' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l server -d 'Address of the API server, instead of the kubeconfig cluster\'s' -r
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l certificate-authority -d 'CA certificate file that verifies the API server, instead of the kubeconfig cluster\'s' -r -F
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -s y -l yes -d 'Answer yes to confirmations (required to change anything without a TTY)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand man" -s V -l version -d 'Print version'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "list" -d 'List StatefulSets with their replicas, strategy, partition and rollouts in flight'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "status" -d 'Show one StatefulSet: revisions, every ordinal\'s pod and claims, DNS names, and what the controller is doing or waiting on'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "why" -d 'Explain what keeps a StatefulSet from converging: each finding with the cluster\'s evidence (conditions, container states, events, quotas, volumes) and the command to run'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "wait" -d 'Wait until a StatefulSet has converged under its own strategy (for CI after `helm upgrade` or a GitOps sync): every member Ready and available, every pod the strategy updates by itself on the update revision; stop as soon as something blocks'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "plan" -d 'Plan a changed manifest (Helm, kustomize, a repository) against the live StatefulSets, field by field: in place, rolled out (which pods, in which order), re-created with pods and claims kept (fields the API server refuses to update), or refused with the reason'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "apply" -d 'Carry out a manifest\'s plan in one ordered, crash-safe sequence: claims grown, the set re-created with its pods and claims kept when a field cannot be updated, then the template applied and its rollout followed until the set has converged'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "scale" -d 'Scale a StatefulSet in order, showing which pods come and go and what happens to their claims, then wait pod by pod'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "rollout" -d 'Stage a new template: images and partition in one write, so no pod restarts before the partition is in place (default partition: the replica count, nothing moves until promoted)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "canary" -d 'Roll a new template out to the K highest ordinals only and wait until they are Ready'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "promote" -d 'Lower the partition of a staged rollout and wait for each newly updated pod; on a terminal without a choice, offers the next pod, half of the rest, or all'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "abort" -d 'Stop a staged rollout: template back to the revision it started from, broken pods on the aborted revision deleted so they come back, partition restored'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "history" -d 'List the revisions of a StatefulSet with what changed in each (images, env, resources, …)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "undo" -d 'Go back to an earlier revision (the previous one by default)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "roll" -d 'Replace the outdated pods of an OnDelete set one at a time (or chosen ordinals of any set), each after every other member is Ready; resumable'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "restart" -d 'Restart every pod (the `kubectl.kubernetes.io/restartedAt` template annotation, as `kubectl rollout restart` sets it), following the rollout; OnDelete sets are rolled'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "recover" -d 'Recover members stranded on a dead node: prove the node down (Ready condition, Lease, taints, volume attachments), then force-delete the pods or fence the node out of service, and wait until each member is Ready again on a live node'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "delete" -d 'Delete a StatefulSet safely: an ordered teardown (scale to 0 pod by pod, then delete), or with --orphan only the set, its pods left running and its claims in place'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "pvc" -d 'A StatefulSet\'s claims per ordinal and template (leftovers included) with volumes, sizes, classes and reclaim policies; prune leftovers; grow a template with `pvc resize`'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "dns" -d 'Check every pod\'s DNS name (`<pod>.<service>.<ns>.svc.<domain>`) and say why one would not resolve: Service, headless, selector, endpoints, readiness, label lengths, SRV names; with --resolve, ask the cluster\'s DNS and compare its answers with the pod IPs'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "completion" -d 'Print a shell completion script for `kubectl-sts`, generated from these definitions'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "man" -d 'Write the man pages (roff), one per command, generated from these definitions'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and not __fish_seen_subcommand_from list status why wait plan apply scale rollout canary promote abort history undo roll restart recover delete pvc dns completion man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-sts -n "__fish_kubectl_sts_using_subcommand help; and __fish_seen_subcommand_from pvc" -f -a "resize" -d 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts'
