/** Shapes of the backend's API answers (see the README's API table). */
export interface RotationView {
  at: string;
  from_username: string | null;
  to_username: string | null;
  duration_ms: number;
  reason: string;
  result: 'ok' | 'failed';
}

export interface SecurityStatus {
  workload: { spiffe_id: string; svid_expires_at: string | null };
  openbao: { auth_method: string; role: string; policies: string[]; token_expires_at: string | null };
  database: {
    username: string | null;
    lease_id: string | null;
    lease_expires_at: string | null;
    next_rotation_at: string | null;
    generation: number;
    pool: { total: number; idle: number; waiting: number };
  };
  rotations: RotationView[];
}

export interface GithubRepo {
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  description: string | null;
  language: string | null;
  stargazers_count: number;
  updated_at: string | null;
}
