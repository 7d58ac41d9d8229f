import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const PRINCIPAL_ROLES = ['admin', 'seller', 'buyer'] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

@Entity({ name: 'principals' })
@Check('principals_role_check', `role IN ('admin', 'seller', 'buyer')`)
@Index('principals_role_idx', ['role', 'createdAt'])
export class Principal {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  role: PrincipalRole;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
