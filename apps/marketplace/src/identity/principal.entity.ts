import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PRINCIPAL_ROLES = ['admin', 'seller', 'buyer'] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

@Entity({ name: 'principals' })
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
