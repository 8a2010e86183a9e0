//! The reference server: nginx answering every request with `return 200` and a fixed
//! chat completion (the body of [`super::reply_server::BODY`]), started on a free port from a
//! config in a temp dir, as one foreground process killed when dropped.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx.
pub struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    /// Start nginx serving `body` in `dir`; `None` (after saying how to install it) when the
    /// `nginx` binary is not on PATH.
    pub fn start(dir: &Path, body: &str) -> Option<Nginx> {
        let bin = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(bin) = bin else {
            println!("nginx not found: install it (`apt-get install nginx-light`) to compare");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ok()?;
        let escaped = body.replace('\\', "\\\\").replace('\'', "\\'");
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  keepalive_requests 10000000;\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
                 default_type application/json;\n      return 200 '{escaped}';\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).ok()?;
        let child = Command::new(bin)
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(5) {
                println!("nginx did not start; see {d}/error.log");
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(Nginx { child, port })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
