//! The next commands the tool prints, built in one place so that each pastes as it is: the
//! command, then the global flags that reach the same set (`-n NAMESPACE`, and `--context` /
//! `--kubeconfig` when the user gave them), each value quoted for a POSIX shell when it needs
//! it. Pure: the flags come in as a `Scope`, never from the environment.

/// Where the user's command acted: what a printed command repeats to reach the same set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub namespace: String,
    /// `--context`, when given (or the context a fleet run asked).
    pub context: Option<String>,
    /// `--kubeconfig`, when given (as given: relative paths stay relative).
    pub kubeconfig: Option<String>,
}

impl Scope {
    /// The namespace alone: the command's own context and kubeconfig are the defaults.
    pub fn namespace(namespace: &str) -> Scope {
        Scope {
            namespace: namespace.to_string(),
            ..Scope::default()
        }
    }

    /// The flags a printed command carries: `-n NS [--context C] [--kubeconfig K]`.
    pub fn flags(&self) -> String {
        let mut flags = format!("-n {}", quote(&self.namespace));
        if let Some(context) = &self.context {
            flags.push_str(&format!(" --context {}", quote(context)));
        }
        if let Some(kubeconfig) = &self.kubeconfig {
            flags.push_str(&format!(" --kubeconfig {}", quote(kubeconfig)));
        }
        flags
    }

    /// `kubectl sts ARGS -n NS …`: a command of this tool that reaches the same set.
    pub fn sts(&self, args: &str) -> String {
        self.complete(&format!("kubectl sts {args}"))
    }

    /// A whole command (`kubectl sts restart web`, as a record stores it; `kubectl logs …`)
    /// with the flags that make it reach the same set.
    pub fn complete(&self, command: &str) -> String {
        format!("{command} {}", self.flags())
    }
}

/// `value` as one word for a POSIX shell: as it is when it holds nothing a shell reads
/// specially, else in single quotes.
pub fn quote(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_always_and_the_rest_when_given() {
        assert_eq!(
            Scope::namespace("db").sts("abort pg"),
            "kubectl sts abort pg -n db"
        );
        let scope = Scope {
            namespace: "db".into(),
            context: Some("arn:aws:eks:eu-west-1:1:cluster/prod".into()),
            kubeconfig: Some("/home/me/my configs/kube".into()),
        };
        assert_eq!(
            scope.complete("kubectl sts restart web"),
            "kubectl sts restart web -n db --context arn:aws:eks:eu-west-1:1:cluster/prod \
             --kubeconfig '/home/me/my configs/kube'"
        );
    }

    #[test]
    fn quoting_keeps_one_word() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a$b"), "'a$b'");
    }
}
