//! The binary on a pseudo-terminal of a given size, as a person at a terminal runs it: what it
//! draws is collected, keys can be typed, and its exit status read.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A process whose stdin, stdout and stderr are one terminal of `rows` x `cols`.
pub struct Terminal {
    child: Child,
    keys: File,
    screen: Arc<Mutex<Vec<u8>>>,
    cols: usize,
}

impl Terminal {
    /// Starts `command` on a new terminal (its own session, the terminal its controlling one).
    pub fn spawn(mut command: Command, rows: u16, cols: u16) -> Terminal {
        let (master, slave) = open_pty(rows, cols);
        let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup terminal"));
        command
            .stdin(stdio(&slave))
            .stdout(stdio(&slave))
            .stderr(stdio(&slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = command.spawn().expect("binary starts");
        drop(slave);
        let mut reader = File::from(master.try_clone().expect("dup master"));
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Terminal {
            child,
            keys: File::from(master),
            screen,
            cols: usize::from(cols),
        }
    }

    /// Types `text` (`\r` is Enter).
    pub fn type_keys(&mut self, text: &str) {
        self.keys.write_all(text.as_bytes()).expect("keys typed");
    }

    /// Everything drawn so far, as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// The lines the terminal holds once everything drawn so far is played on it (those that
    /// scrolled away included): redraws in place (carriage returns, cursor moves up, erased
    /// lines) leave only what they drew last, as on a real terminal. Trailing blank lines
    /// are left out.
    pub fn lines(&self) -> Vec<String> {
        play(&self.screen(), self.cols)
    }

    /// Blocks until the screen holds `text`.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no {text:?} on the terminal within {timeout:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process id, for signals.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits for the process to end (killing it past `timeout`) and returns its status.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // The reader thread drains what is left once the last writer is gone.
                std::thread::sleep(Duration::from_millis(50));
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running after {timeout:?}:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Plays terminal output: printable text, `\r`, `\n`, and the CSI sequences progress bars use
/// (cursor up/down/column, erase line, erase below), wrapping at `cols` as terminals do
/// (deferred: at the next printed character); colours and modes are ignored.
fn play(output: &str, cols: usize) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut params = String::new();
                let mut last = ' ';
                for p in chars.by_ref() {
                    if p.is_ascii_alphabetic() || p == '@' || p == '~' {
                        last = p;
                        break;
                    }
                    params.push(p);
                }
                let n = params.trim_start_matches('?').parse::<usize>().unwrap_or(0);
                while lines.len() <= row {
                    lines.push(Vec::new());
                }
                match last {
                    'A' => row = row.saturating_sub(n.max(1)),
                    'B' => row += n.max(1),
                    'G' => col = n.saturating_sub(1),
                    'K' if n == 2 => lines[row].clear(),
                    'K' => lines[row].truncate(col),
                    'J' => {
                        lines[row].truncate(col);
                        lines.truncate(row + 1);
                    }
                    _ => {}
                }
            }
            '\x1b' => {
                chars.next();
            }
            c if c.is_control() => {}
            c => {
                if col >= cols {
                    row += 1;
                    col = 0;
                }
                while lines.len() <= row {
                    lines.push(Vec::new());
                }
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    let mut text: Vec<String> = lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>())
        .collect();
    while text.last().is_some_and(|l| l.trim().is_empty()) {
        text.pop();
    }
    text
}

/// A pseudo-terminal pair of the given size.
fn open_pty(rows: u16, cols: u16) -> (OwnedFd, OwnedFd) {
    let mut master = 0;
    let mut slave = 0;
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors it opened, which are owned from here on.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}
